import { request, Agent } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { serveMemoryProbe } from "../lib/memory-probe.js";

/**
 * The physical limit on this machine: a `ws` server that reads the upstream's SSE and forwards each delta
 * as one small JSON frame, with nothing else in between. Started as a child process by the benchmarks.
 */
const upstreamUrl = new URL(process.env.UPSTREAM_URL ?? "");
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

function relay(ws: WebSocket, content: string, messages: unknown[]) {
  const body = JSON.stringify({
    model: "scripted",
    stream: true,
    stream_options: { include_usage: true },
    messages: [...messages, { role: "user", content }],
  });
  const req = request(
    {
      host: upstreamUrl.hostname,
      port: upstreamUrl.port,
      path: `${upstreamUrl.pathname}/chat/completions`,
      method: "POST",
      agent,
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    },
    (res) => {
      res.setEncoding("utf8");
      let buffer = "";
      let seq = 0;
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf("\n\n");
        while (end !== -1) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
          if (!event.startsWith("data: ") || event === "data: [DONE]") continue;
          const text = JSON.parse(event.slice(6)).choices?.[0]?.delta?.content;
          if (typeof text === "string" && text.length > 0) ws.send(JSON.stringify({ type: "token", seq: seq++, text }));
        }
      });
      res.on("end", () => {
        ws.off("close", abort);
        ws.send(JSON.stringify({ type: "done", tokens: seq }));
      });
    },
  );
  const abort = () => req.destroy();
  ws.once("close", abort);
  req.end(body);
}

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
wss.on("connection", (ws) => {
  ws.on("message", (data) => {
    const frame = JSON.parse(String(data)) as { content: string; messages?: unknown[] };
    relay(ws, frame.content, frame.messages ?? []);
  });
});
serveMemoryProbe(() => ({ connections: wss.clients.size }));
wss.on("listening", () => process.send?.({ url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}` }));
process.on("SIGTERM", () => wss.close(() => process.exit(0)));
