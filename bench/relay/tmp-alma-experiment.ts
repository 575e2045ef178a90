import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { buildApp } from "@alma/server/build-app";
import { loadConfig } from "@alma/server";
import { OpenAIChatModel, type ChatModel, type ChatMessage, type GenerateOptions, type StreamChunk } from "@alma/llm";

const exp = (process.env.BENCH_EXPERIMENT ?? "").split(",");
const fastifyWsRequire = createRequire(createRequire(import.meta.url).resolve("@fastify/websocket", { paths: [new URL("../../apps/server/", import.meta.url).pathname] }));
if (exp.includes("cork")) {
  const { WebSocket } = fastifyWsRequire("ws") as typeof import("ws");
  const proto = WebSocket.prototype as unknown as { send: (...a: unknown[]) => void; _socket?: import("node:net").Socket };
  const orig = proto.send;
  proto.send = function (this: typeof proto, ...args: unknown[]) {
    const sock = this._socket;
    if (sock && sock.writableCorked === 0) {
      sock.cork();
      process.nextTick(() => sock.uncork());
    }
    return orig.apply(this, args);
  };
}
const llmRequire = createRequire(new URL("../../packages/llm/package.json", import.meta.url));
const OpenAI = llmRequire("openai").default as typeof import("openai").default;

class LeanStreamModel implements ChatModel {
  readonly provider = "openai";
  readonly model: string;
  #client: InstanceType<typeof OpenAI>;
  constructor(private readonly inner: OpenAIChatModel, baseURL: string) {
    this.model = inner.model;
    this.#client = new OpenAI({ baseURL, apiKey: "bench-key", maxRetries: 0 });
  }
  status() { return this.inner.status(); }
  onStatus(l: Parameters<ChatModel["onStatus"]>[0]) { return this.inner.onStatus(l); }
  contextWindow() { return this.inner.contextWindow(); }
  close() { return this.inner.close(); }
  async *stream(messages: ChatMessage[], options: GenerateOptions): AsyncGenerator<StreamChunk> {
    const res = await this.#client.chat.completions
      .create({ model: this.model, messages: messages as never, stream: true, stream_options: { include_usage: true }, max_completion_tokens: options.maxOutputTokens, temperature: options.temperature }, { signal: options.signal })
      .asResponse();
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    let usage: { prompt_tokens: number; completion_tokens: number } | null = null;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end !== -1) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        if (!event.startsWith("data: ") || event === "data: [DONE]") continue;
        const chunk = JSON.parse(event.slice(6));
        if (chunk.usage) usage = chunk.usage;
        const text = chunk.choices?.[0]?.delta?.content;
        if (text) yield { type: "delta", text };
      }
    }
    yield { type: "done", finishReason: "stop", usage: { promptTokens: usage?.prompt_tokens ?? 0, completionTokens: usage?.completion_tokens ?? 0, reported: true } };
  }
}

const dataDir = mkdtempSync(join(tmpdir(), "alma-bench-exp-"));
const config = loadConfig({
  HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "warn", ALMA_PROVIDER: "openai", OPENAI_BASE_URL: process.env.UPSTREAM_URL, OPENAI_API_KEY: "bench-key",
  OPENAI_MODEL: "scripted", ALMA_CONTEXT_WINDOW: "128000", ALMA_DB_PATH: join(dataDir, "alma.db"), ALMA_PROVIDER_MAX_RETRIES: "0",
  ALMA_MAX_OUTPUT_TOKENS: "32768", ALMA_MAX_RUNS_PER_CONNECTION: "100", ALMA_MAX_RUNS_PER_SERVER: "10000", ALMA_MESSAGES_PER_MINUTE: "100000",
  ALMA_MAX_CONNECTIONS: "100000", ALMA_HTTP_REQUESTS_PER_MINUTE: "1000000",
}, dataDir);
const inner = new OpenAIChatModel({ baseURL: process.env.UPSTREAM_URL!, apiKey: "bench-key", model: "scripted", contextWindow: 128000 });
const app = await buildApp({ config, ...(exp.includes("lean") ? { model: new LeanStreamModel(inner, process.env.UPSTREAM_URL!) } : { model: inner }) });
const address = await app.listen({ host: "127.0.0.1", port: 0 });
process.send?.({ url: `${address.replace(/^http/, "ws")}/ws` });
process.on("SIGTERM", () => void app.close().finally(() => process.exit(0)));
