import { randomUUID } from "node:crypto";
import { WebSocket } from "ws";
import { nowMs, readStamps } from "../lib/hrtime.js";
import { percentile } from "../lib/stats.js";

/**
 * The concurrency benchmark's load generator, in its own process so it never shares an event loop with the
 * server. Opens `sessions` WebSockets, then starts one streamed answer on each (starts spread over
 * `startSpreadMs`, as independent users' would be) and records every token's emit→receive delay.
 * With `viewerUrl` (alma on two instances sharing Redis), each session is two sockets: the one that sends, on `url`
 * (the instance that runs the answer), and the one that is measured, on `viewerUrl`, following the conversation
 * through Redis — the tab a load balancer without stickiness puts on the other instance.
 */
export interface LoadRequest {
  url: string;
  mode: "alma" | "bare";
  sessions: number;
  tokens: number;
  rate: number;
  /** sends are spread evenly over this span, as independent users' would be */
  startSpreadMs: number;
  /** alma only: the measured sockets connect here, to another instance than the one running the answers */
  viewerUrl?: string;
}

export interface LoadResult {
  sessions: number;
  connected: number;
  expectedTokens: number;
  receivedTokens: number;
  /** sessions whose seq numbers had a gap, a repeat, or ended early */
  brokenSessions: number;
  errors: string[];
  delayP50Ms: number;
  delayP95Ms: number;
  delayP99Ms: number;
  /** a session's send → its first token received */
  ttftP50Ms: number;
  ttftP95Ms: number;
  /** tokens received per second over the streaming span, all sessions together */
  tokensPerSecond: number;
  delayMaxMs: number;
  /** delay of tokens emitted once every session had started (connection setup and ramp excluded) */
  steadyP50Ms: number;
  steadyP99Ms: number;
  /** |receive gap − emit gap| between consecutive tokens of a session */
  jitterP50Ms: number;
  jitterP99Ms: number;
  streamingMs: number;
}

interface Session {
  ws: WebSocket;
  /** the socket that sends (the measured one, `ws`, unless the viewer is on another instance) */
  writer: WebSocket;
  conversationId: string | null;
  received: number;
  nextSeq: number;
  broken: boolean;
  lastEmit: number;
  lastRecv: number;
  sentAt: number;
  done: Promise<void>;
}

async function connect(req: LoadRequest, errors: string[]): Promise<WebSocket | null> {
  const ws = new WebSocket(req.url, { perMessageDeflate: false });
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    if (req.mode === "alma") {
      const welcome = new Promise<void>((resolve, reject) => {
        ws.once("message", (data: Buffer) => {
          const text = data.toString();
          if (text.includes('"type":"welcome"')) resolve();
          else reject(new Error(`handshake refused: ${text.slice(0, 300)}`));
        });
      });
      ws.send(JSON.stringify({ type: "hello", protocolVersion: 1, client: "alma-bench-load" }));
      await welcome;
    }
    return ws;
  } catch (error) {
    if (errors.length < 10) errors.push(`connect: ${(error as Error).message}`);
    ws.terminate();
    return null;
  }
}

/** Waits for the first frame on `ws` whose text includes every one of `needles`; rejects on an error frame. */
function waitText(ws: WebSocket, needles: string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const done = (fn: () => void) => {
      clearTimeout(timer);
      ws.off("message", onMessage);
      fn();
    };
    const timer = setTimeout(() => done(() => reject(new Error(`no frame with ${needles.join(" ")} within ${timeoutMs} ms`))), timeoutMs);
    const onMessage = (data: Buffer) => {
      const text = data.toString();
      if (text.startsWith('{"type":"run.token"')) return;
      if (text.includes('"type":"run.error"') || text.startsWith('{"type":"error"')) done(() => reject(new Error(`server: ${text.slice(0, 300)}`)));
      else if (needles.every((n) => text.includes(n))) done(() => resolve(text));
    };
    ws.on("message", onMessage);
  });
}

/**
 * A writer on `req.url` and a viewer on `req.viewerUrl` with a conversation between them: created on the writer's
 * instance with a one-token answer, then opened by the viewer (which from then on follows it through Redis).
 */
async function connectPair(req: LoadRequest, errors: string[]): Promise<{ ws: WebSocket; writer: WebSocket; conversationId: string } | null> {
  const [writer, viewer] = await Promise.all([connect(req, errors), connect({ ...req, url: req.viewerUrl! }, errors)]);
  try {
    if (!writer || !viewer) throw new Error("a socket of the pair did not open");
    const clientMessageId = randomUUID();
    const accepted = waitText(writer, ['"type":"message.accepted"', clientMessageId]);
    writer.send(
      JSON.stringify({
        type: "message.send",
        clientMessageId,
        conversationId: null,
        content: "n=1 rate=0",
        options: { taskType: "creative", bypassCache: true },
      }),
    );
    const { runId, conversationId } = JSON.parse(await accepted) as { runId: string; conversationId: string };
    await waitText(writer, ['"type":"run.completed"', runId]);
    const requestId = randomUUID();
    const opened = waitText(viewer, ['"type":"conversation.history.result"', requestId]);
    viewer.send(JSON.stringify({ type: "conversation.history", requestId, conversationId }));
    await opened;
    return { ws: viewer, writer, conversationId };
  } catch (error) {
    if (errors.length < 10) errors.push(`pair setup: ${(error as Error).message}`);
    writer?.terminate();
    viewer?.terminate();
    return null;
  }
}

export async function runLoad(req: LoadRequest): Promise<LoadResult> {
  const errors: string[] = [];
  const sockets: Array<{ ws: WebSocket; writer: WebSocket; conversationId: string | null }> = [];
  for (let i = 0; i < req.sessions; i += 100) {
    const n = Math.min(100, req.sessions - i);
    if (req.viewerUrl) {
      const batch = await Promise.all(Array.from({ length: n }, () => connectPair(req, errors)));
      for (const pair of batch) if (pair) sockets.push(pair);
    } else {
      const batch = await Promise.all(Array.from({ length: n }, () => connect(req, errors)));
      for (const ws of batch) if (ws) sockets.push({ ws, writer: ws, conversationId: null });
    }
  }
  const ttfts: number[] = [];
  const delays: number[] = [];
  const steady: number[] = [];
  const jitters: number[] = [];
  const started = nowMs();
  const steadyFrom = started + req.startSpreadMs + 2000 / req.rate;
  const sessions: Session[] = sockets.map(({ ws, writer, conversationId }, i) => {
    const session: Session = {
      ws,
      writer,
      conversationId,
      received: 0,
      nextSeq: 0,
      broken: false,
      lastEmit: 0,
      lastRecv: 0,
      sentAt: 0,
      done: Promise.resolve(),
    };
    session.done = new Promise<void>((resolve) => {
      const stamps: number[] = [];
      const finish = (problem?: string) => {
        if (problem && errors.length < 10) errors.push(problem);
        if (session.received !== req.tokens) session.broken = true;
        ws.removeAllListeners("message");
        resolve();
      };
      ws.on("message", (data: Buffer) => {
        const receivedAt = nowMs();
        const text = data.toString();
        if (text.startsWith('{"type":"run.token"') || text.startsWith('{"type":"token"')) {
          const seq = Number(/"seq":(\d+)/.exec(text)?.[1] ?? -1);
          if (seq !== session.nextSeq) session.broken = true;
          session.nextSeq = seq + 1;
          stamps.length = 0;
          readStamps(text, stamps);
          if (session.received === 0 && stamps.length > 0) ttfts.push(receivedAt - session.sentAt);
          for (const emit of stamps) {
            session.received++;
            delays.push(receivedAt - emit);
            if (emit >= steadyFrom) steady.push(receivedAt - emit);
            if (session.lastEmit > 0) jitters.push(Math.abs(receivedAt - session.lastRecv - (emit - session.lastEmit)));
            session.lastEmit = emit;
            session.lastRecv = receivedAt;
          }
          return;
        }
        if (text.includes('"type":"run.completed"') || text.startsWith('{"type":"done"')) finish();
        else if (text.includes('"type":"run.error"') || text.startsWith('{"type":"error"')) finish(`server: ${text.slice(0, 300)}`);
      });
      ws.once("close", () => finish(session.received === req.tokens ? undefined : "socket closed mid-stream"));
    });
    const content = `n=${req.tokens} rate=${req.rate} session ${i}`;
    setTimeout(
      () => {
        session.sentAt = nowMs();
        session.writer.send(
          req.mode === "alma"
            ? JSON.stringify({
                type: "message.send",
                clientMessageId: randomUUID(),
                conversationId: session.conversationId,
                content,
                options: { taskType: "creative", bypassCache: true, temperature: 0 },
              })
            : JSON.stringify({ content }),
        );
      },
      (i / sockets.length) * req.startSpreadMs,
    );
    return session;
  });
  await Promise.all(sessions.map((s) => s.done));
  const streamingMs = nowMs() - started;
  for (const s of sessions) {
    s.ws.close();
    if (s.writer !== s.ws) s.writer.close();
  }
  const receivedTokens = sessions.reduce((n, s) => n + s.received, 0);
  return {
    sessions: req.sessions,
    connected: sockets.length,
    expectedTokens: req.sessions * req.tokens,
    receivedTokens,
    brokenSessions: sessions.filter((s) => s.broken).length + (req.sessions - sockets.length),
    errors,
    delayP50Ms: percentile(delays, 50),
    delayP95Ms: percentile(delays, 95),
    delayP99Ms: percentile(delays, 99),
    ttftP50Ms: percentile(ttfts, 50),
    ttftP95Ms: percentile(ttfts, 95),
    tokensPerSecond: receivedTokens / (streamingMs / 1000),
    delayMaxMs: delays.reduce((m, d) => Math.max(d, m), 0),
    steadyP50Ms: percentile(steady, 50),
    steadyP99Ms: percentile(steady, 99),
    jitterP50Ms: percentile(jitters, 50),
    jitterP99Ms: percentile(jitters, 99),
    streamingMs,
  };
}

if (process.send) {
  process.send({ ready: true });
  process.on("message", (m: LoadRequest) => {
    runLoad(m).then(
      (result) => process.send?.(result),
      (error: unknown) => process.send?.({ crash: String((error as Error)?.stack ?? error) }),
    );
  });
}
