import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import { nowNs } from "./hrtime.js";

/**
 * A minimal OpenAI-compatible chat-completions server for benchmarks. Its work per token is one small JSON line,
 * so what the benchmarks measure is the relay under test, not the upstream. The last user message steers it:
 * "n=<tokens> rate=<tokens per second, 0 = as fast as the socket takes them> ttft=<ms before the first token>".
 * Every token's text is "@<emit time in ns>;" (plus "^<request arrival ns>;" on the first), so a client can
 * compute emit→receive latency on the machine-wide monotonic clock.
 */
export interface UpstreamCounters {
  /** streamed completions that followed a directive */
  scripted: number;
  /** other requests (no directive): answered with a short fixed text */
  other: number;
  /** streams the client closed before the end */
  aborted: number;
}

export interface ScriptedUpstream {
  url: string;
  counters: UpstreamCounters;
  close(): Promise<void>;
}

interface Directive {
  n: number;
  rate: number;
  ttftMs: number;
}

function readDirective(body: unknown): Directive | null {
  const messages = (body as { messages?: Array<{ role?: string; content?: unknown }> })?.messages;
  if (!Array.isArray(messages)) return null;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role !== "user") continue;
    const text = typeof m.content === "string" ? m.content : JSON.stringify(m.content);
    const n = /\bn=(\d+)/.exec(text);
    if (!n) return null;
    return {
      n: Number(n[1]),
      rate: Number(/\brate=(\d+)/.exec(text)?.[1] ?? 0),
      ttftMs: Number(/\bttft=(\d+)/.exec(text)?.[1] ?? 0),
    };
  }
  return null;
}

const chunkHead = (id: string, model: string) =>
  `data: {"id":"${id}","object":"chat.completion.chunk","created":1,"model":"${model}","choices":[{"index":0,"delta":{`;

async function readBody(req: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return JSON.parse(Buffer.concat(parts).toString("utf8") || "{}");
}

export async function startScriptedUpstream(opts: { port?: number } = {}): Promise<ScriptedUpstream> {
  const counters: UpstreamCounters = { scripted: 0, other: 0, aborted: 0 };
  let nextId = 0;

  async function stream(res: ServerResponse, arrival: bigint, body: Record<string, unknown>) {
    const directive = readDirective(body);
    const model = typeof body.model === "string" ? body.model.replace(/"/g, "") : "scripted";
    const id = `chatcmpl-${++nextId}`;
    const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    let closed = false;
    res.on("close", () => {
      if (!res.writableFinished) {
        closed = true;
        counters.aborted++;
      }
    });
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    res.flushHeaders();
    const head = chunkHead(id, model);
    const write = (line: string): Promise<void> | null => (res.write(line) ? null : once(res, "drain").then(() => undefined));

    if (!directive) {
      counters.other++;
      const wantsJson = (body.response_format as { type?: string } | undefined)?.type === "json_object";
      const text = JSON.stringify(wantsJson ? "{}" : "ok");
      res.write(`${head}"role":"assistant","content":${text}},"finish_reason":null}]}\n\n`);
    } else {
      counters.scripted++;
      if (directive.ttftMs > 0) await new Promise((r) => setTimeout(r, directive.ttftMs));
      const intervalMs = directive.rate > 0 ? 1000 / directive.rate : 0;
      const start = performance.now();
      for (let i = 0; i < directive.n && !closed; i++) {
        if (intervalMs > 0) {
          const wait = start + i * intervalMs - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          if (closed) break;
        }
        const stamp = i === 0 ? `^${arrival};@${nowNs()};` : `@${nowNs()};`;
        const role = i === 0 ? `"role":"assistant",` : "";
        const pending = write(`${head}${role}"content":"${stamp}"},"finish_reason":null}]}\n\n`);
        if (pending) await pending;
      }
    }
    if (closed) return;
    const completion = directive?.n ?? 1;
    res.write(`${head}},"finish_reason":"stop"}]}\n\n`);
    if (includeUsage) {
      res.write(
        `data: {"id":"${id}","object":"chat.completion.chunk","created":1,"model":"${model}","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":${completion},"total_tokens":${10 + completion}}}\n\n`,
      );
    }
    res.end("data: [DONE]\n\n");
  }

  const server = createServer((req, res) => {
    const arrival = nowNs();
    if (req.method === "GET" && req.url?.endsWith("/models")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ object: "list", data: [{ id: "scripted", object: "model", created: 1, owned_by: "bench" }] }));
      return;
    }
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
      return;
    }
    readBody(req)
      .then((body) => {
        const b = body as Record<string, unknown>;
        if (b.stream !== true) {
          // Non-streamed calls (a classifier or summarizer asking for JSON) get a tiny complete answer.
          counters.other++;
          const wantsJson = (b.response_format as { type?: string } | undefined)?.type === "json_object";
          res.writeHead(200, { "content-type": "application/json" });
          res.end(
            JSON.stringify({
              id: `chatcmpl-${++nextId}`,
              object: "chat.completion",
              created: 1,
              model: b.model ?? "scripted",
              choices: [{ index: 0, message: { role: "assistant", content: wantsJson ? "{}" : "ok" }, finish_reason: "stop" }],
              usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 },
            }),
          );
          return;
        }
        return stream(res, arrival, b);
      })
      .catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: String(error) } }));
      });
  });
  server.keepAliveTimeout = 60_000;
  server.maxConnections = 100_000;
  server.listen(opts.port ?? 0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    counters,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
