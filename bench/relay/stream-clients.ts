import { request, Agent } from "node:http";
import { randomUUID } from "node:crypto";
import { WebSocket } from "ws";
import { nowMs, readArrival, readStamps } from "../lib/hrtime.js";

/** What one streamed answer looked like from the client's side; all times are ms on the shared monotonic clock. */
export interface StreamSample {
  sentAt: number;
  firstReceivedAt: number;
  lastReceivedAt: number;
  /** when the upstream received the request and wrote its first token */
  upstreamArrivalAt: number;
  upstreamFirstEmitAt: number;
  tokens: number;
  /** receive time minus emit time, per token */
  latencies: number[];
  /** alma only: the run's own timing marks from run.completed (ms since the server received the message) */
  serverMarks?: { requestBuiltMs: number | null; upstreamStartedMs: number | null; firstTokenMs: number | null };
}

/** A client of one path under test. */
export interface StreamClient {
  readonly name: string;
  stream(content: string): Promise<StreamSample>;
  close(): Promise<void>;
}

export class SampleBuilder {
  readonly sentAt = nowMs();
  firstReceivedAt = 0;
  lastReceivedAt = 0;
  upstreamArrivalAt = Number.NaN;
  readonly emits: number[] = [];
  readonly latencies: number[] = [];

  /** the caller reads the clock once per received chunk, before any parsing */
  take(text: string, receivedAt: number) {
    const before = this.emits.length;
    readStamps(text, this.emits);
    if (this.emits.length === before) return;
    if (before === 0) {
      this.firstReceivedAt = receivedAt;
      this.upstreamArrivalAt = readArrival(text) ?? Number.NaN;
    }
    this.lastReceivedAt = receivedAt;
    for (let i = before; i < this.emits.length; i++) this.latencies.push(receivedAt - this.emits[i]!);
  }

  finish(): StreamSample {
    if (this.emits.length === 0) throw new Error("the stream ended without a single token: check the server's log above");
    return {
      sentAt: this.sentAt,
      firstReceivedAt: this.firstReceivedAt,
      lastReceivedAt: this.lastReceivedAt,
      upstreamArrivalAt: this.upstreamArrivalAt,
      upstreamFirstEmitAt: this.emits[0]!,
      tokens: this.emits.length,
      latencies: this.latencies,
    };
  }
}

export async function openSocket(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return ws;
}

/** The bare relay: one JSON frame per token, then a "done" frame. */
export async function bareRelayClient(url: string): Promise<StreamClient> {
  const ws = await openSocket(url);
  return {
    name: "bare ws relay",
    stream(content) {
      const sample = new SampleBuilder();
      return new Promise((resolve, reject) => {
        const onMessage = (data: Buffer) => {
          const receivedAt = nowMs();
          const text = data.toString();
          if (text.startsWith('{"type":"done"')) {
            ws.off("message", onMessage);
            try {
              resolve(sample.finish());
            } catch (e) {
              reject(e);
            }
            return;
          }
          sample.take(text, receivedAt);
        };
        ws.on("message", onMessage);
        ws.send(JSON.stringify({ content }));
      });
    },
    async close() {
      ws.close();
    },
  };
}

/**
 * alma over its WebSocket protocol. Token frames are scanned for their stamps without a full parse, as the
 * other paths' clients do, so the client's own cost is alike on every path.
 * A client keeps one conversation (a TTFT run sends into a conversation that grows) unless told to start a
 * new one per answer (the relay benchmark, so a long history's memory work does not enter a per-token figure).
 */
export async function almaClient(
  url: string,
  opts: { conversationId?: string | null; newConversationEachTime?: boolean } = {},
): Promise<StreamClient & { conversationId: string | null }> {
  const ws = await openSocket(url);
  const welcome = new Promise<void>((resolve, reject) => {
    ws.once("message", (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { type: string; message?: string };
      if (frame.type === "welcome") resolve();
      else reject(new Error(`alma refused the handshake: ${data.toString()}`));
    });
  });
  ws.send(JSON.stringify({ type: "hello", protocolVersion: 1, client: "alma-bench" }));
  await welcome;
  const client = {
    name: "alma",
    conversationId: opts.conversationId ?? null,
    stream(content: string): Promise<StreamSample> {
      const sample = new SampleBuilder();
      return new Promise((resolve, reject) => {
        const onMessage = (data: Buffer) => {
          const receivedAt = nowMs();
          const text = data.toString();
          // token frames are read like the other paths' (the stamps straight from the text); the rest is parsed
          if (text.startsWith('{"type":"run.token"')) {
            sample.take(text, receivedAt);
            return;
          }
          const frame = JSON.parse(text) as { type: string; conversationId?: string; metrics?: StreamSample["serverMarks"] };
          if (frame.type === "run.token") {
            sample.take(text, receivedAt);
          } else if (frame.type === "message.accepted") {
            if (!opts.newConversationEachTime) client.conversationId = frame.conversationId ?? null;
          } else if (frame.type === "run.completed") {
            ws.off("message", onMessage);
            try {
              const m = frame.metrics;
              resolve({
                ...sample.finish(),
                ...(m ? { serverMarks: { requestBuiltMs: m.requestBuiltMs, upstreamStartedMs: m.upstreamStartedMs, firstTokenMs: m.firstTokenMs } } : {}),
              });
            } catch (e) {
              reject(e);
            }
          } else if (frame.type === "run.error" || frame.type === "error") {
            ws.off("message", onMessage);
            reject(new Error(`alma answered ${frame.type}: ${text.slice(0, 500)}`));
          }
        };
        ws.on("message", onMessage);
        ws.send(
          JSON.stringify({
            type: "message.send",
            clientMessageId: randomUUID(),
            conversationId: client.conversationId,
            content,
            // an explicit task type keeps the run one streamed generation, and no cache may answer a benchmark
            options: { taskType: "creative", bypassCache: true, temperature: 0 },
          }),
        );
      });
    },
    async close() {
      ws.close();
    },
  };
  return client;
}

const textDeltaPattern = /"type":"text-delta","id":"[^"]*","delta":"([^"]*)"/g;

interface UiMessage {
  id: string;
  role: "user" | "assistant";
  parts: Array<{ type: "text"; text: string }>;
}

/**
 * The AI SDK path as `useChat` drives it: POST the whole UI message history, read the UI message stream (SSE).
 * The client keeps the history it sends, like useChat does.
 */
export function aiSdkClient(url: string, opts: { history?: UiMessage[]; newConversationEachTime?: boolean } = {}): StreamClient & { history: UiMessage[] } {
  const agent = new Agent({ keepAlive: true });
  const target = new URL("/api/chat", url);
  const client = {
    name: "Vercel AI SDK v5",
    history: opts.history ?? [],
    stream(content: string): Promise<StreamSample> {
      const messages = [...client.history, { id: randomUUID(), role: "user" as const, parts: [{ type: "text" as const, text: content }] }];
      const body = JSON.stringify({ id: "bench", messages, trigger: "submit-message" });
      const sample = new SampleBuilder();
      return new Promise((resolve, reject) => {
        const req = request(
          target,
          { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
          (res) => {
            if (res.statusCode !== 200) {
              reject(new Error(`the AI SDK server answered HTTP ${res.statusCode}`));
              res.resume();
              return;
            }
            res.setEncoding("utf8");
            let answer = "";
            res.on("data", (chunk: string) => {
              const receivedAt = nowMs();
              sample.take(chunk, receivedAt);
              // keep the answer's text for the history, as useChat does (stamps need no JSON unescaping)
              if (!opts.newConversationEachTime) for (const m of chunk.matchAll(textDeltaPattern)) answer += m[1];
            });
            res.on("end", () => {
              try {
                const done = sample.finish();
                if (!opts.newConversationEachTime)
                  client.history = [...messages, { id: randomUUID(), role: "assistant", parts: [{ type: "text", text: answer }] }];
                resolve(done);
              } catch (e) {
                reject(e);
              }
            });
            res.on("error", reject);
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    },
    async close() {
      agent.destroy();
    },
  };
  return client;
}

export type { UiMessage };
