import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { convertToModelMessages, streamText, type UIMessage } from "ai";

/**
 * The peer most users would pick: the Vercel AI SDK v5 route a Next.js `useChat` app runs, as a plain Node
 * HTTP server: `streamText` over the openai-compatible provider, piped to the client as the UI message stream.
 */
const provider = createOpenAICompatible({ name: "bench", baseURL: process.env.UPSTREAM_URL ?? "", includeUsage: true });
const model = provider("scripted");

const server = createServer((req, res) => {
  if (req.method !== "POST" || req.url !== "/api/chat") {
    res.writeHead(404).end();
    return;
  }
  const parts: Buffer[] = [];
  req.on("data", (p: Buffer) => parts.push(p));
  req.on("end", () => {
    const { messages } = JSON.parse(Buffer.concat(parts).toString("utf8")) as { messages: UIMessage[] };
    const abort = new AbortController();
    res.on("close", () => abort.abort());
    const result = streamText({ model, messages: convertToModelMessages(messages), temperature: 0, abortSignal: abort.signal });
    result.pipeUIMessageStreamToResponse(res);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
