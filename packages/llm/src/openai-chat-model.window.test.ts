import { afterEach, describe, expect, it } from "vitest";
import { fakeOpenAIServers } from "@alma/testing";
import { OpenAIChatModel } from "./openai-chat-model.js";
import { isLlmError } from "./llm-error.js";

const servers = fakeOpenAIServers();
afterEach(() => servers.closeAll());

async function drain(model: OpenAIChatModel, content: string, maxOutputTokens: number) {
  for await (const _ of model.stream([{ role: "user", content }], { maxOutputTokens })) void _;
}

describe("OpenAIChatModel: the window it learns", () => {
  it.each([
    ["vllm", "vLLM: GET /v1/models max_model_len"],
    ["llamacpp", "llama.cpp: GET /props default_generation_settings.n_ctx"],
    ["lmstudio", "LM Studio: GET /api/v0/models loaded_context_length"],
    ["ollama", "Ollama: GET /api/ps context_length (the loaded context)"],
  ] as const)("asks a %s server for its window once, shows it in its status, and never sends a chat request to learn it", async (flavour, detail) => {
    const s = await servers.start({ flavour, contextWindow: 2048, models: ["m"] });
    const model = new OpenAIChatModel({ baseURL: s.url, model: "m" });
    const seen: number[] = [];
    model.onStatus((st) => st.contextWindow && seen.push(st.contextWindow));
    const info = await model.resolveContextWindow();
    expect(info).toMatchObject({ tokens: 2048, source: "server", server: flavour });
    expect(info.detail).toContain(detail);
    expect(model.status()).toMatchObject({ contextWindow: 2048, window: { tokens: 2048, source: "server" } });
    expect(seen).toContain(2048);
    const asked = s.requests.length;
    await model.resolveContextWindow();
    expect(s.requests.length).toBe(asked);
    expect(s.chatRequests()).toHaveLength(0);
  });

  it("learns the window from OpenAI's refusal, once, and keeps it", async () => {
    const s = await servers.start({ contextWindow: 2048 });
    const model = new OpenAIChatModel({ baseURL: s.url, model: "gpt-unknown-x", apiKey: "k" });
    await model.resolveContextWindow();
    expect(model.contextWindowInfo()).toMatchObject({ tokens: 4096, source: "default" });
    const error = await drain(model, "hello", 3000).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isLlmError(error) && error.code).toBe("provider_context_length");
    expect(isLlmError(error) && error.contextLimit).toBe(2048);
    expect(model.contextWindowInfo()).toMatchObject({ tokens: 2048, source: "error" });
    expect(model.status().window).toMatchObject({ tokens: 2048, source: "error" });
    // a later discovery that tells nothing does not raise it again
    await model.resolveContextWindow();
    expect(model.contextWindow()).toBe(2048);
  });

  it("learns llama.cpp's n_ctx from its own refusal body", async () => {
    const s = await servers.start({ flavour: "llamacpp", contextWindow: 512, models: ["m"] });
    const model = new OpenAIChatModel({ baseURL: s.url, model: "m", discoverWindow: false });
    const long = "word ".repeat(700);
    await expect(drain(model, long, 10)).rejects.toMatchObject({ code: "provider_context_length", contextLimit: 512 });
    expect(model.contextWindowInfo()).toMatchObject({ tokens: 512, source: "error" });
  });

  it("ALMA_CONTEXT_WINDOW wins over what the server tells, and then nothing is asked", async () => {
    const s = await servers.start({ flavour: "vllm", contextWindow: 32_768, models: ["m"] });
    const model = new OpenAIChatModel({ baseURL: s.url, model: "m", contextWindow: 2048 });
    expect(await model.resolveContextWindow()).toMatchObject({ tokens: 2048, source: "setting", detail: "ALMA_CONTEXT_WINDOW" });
    expect(s.requests).toHaveLength(0);
  });

  it("a server that tells nothing leaves the default, said in words", async () => {
    const s = await servers.start({ models: ["m"] });
    const model = new OpenAIChatModel({ baseURL: s.url, model: "m" });
    const info = await model.resolveContextWindow();
    expect(info).toMatchObject({ tokens: 4096, source: "default" });
    expect(info.detail).toMatch(/^assumed 4096 tokens: .*set ALMA_CONTEXT_WINDOW/);
  });
});

describe("OpenAIChatModel: refusals in older servers' shapes", () => {
  it("reads vLLM's top-level error body: the refusal's words and its window are kept", async () => {
    const { createServer } = await import("node:http");
    const http = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            object: "error",
            message:
              "This model's maximum context length is 2048 tokens. However, you requested 2196 tokens (996 in the messages, 1200 in the completion). Please reduce the length of the messages or completion.",
            type: "BadRequestError",
            param: null,
            code: 400,
          }),
        );
      });
    });
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", () => r()));
    try {
      const port = (http.address() as { port: number }).port;
      const model = new OpenAIChatModel({ baseURL: `http://127.0.0.1:${port}/v1`, model: "m", discoverWindow: false });
      await expect(drain(model, "hello", 1200)).rejects.toMatchObject({ code: "provider_context_length", contextLimit: 2048 });
      expect(model.contextWindowInfo()).toMatchObject({ tokens: 2048, source: "error" });
    } finally {
      await new Promise<void>((r) => http.close(() => r()));
    }
  });

  it("uses llama.cpp's slots as how many requests to run at once", async () => {
    const s = await servers.start({ flavour: "llamacpp", contextWindow: 4096, slots: 2, models: ["m"] });
    const model = new OpenAIChatModel({ baseURL: s.url, model: "m" });
    expect(model.parallelism).toBeUndefined();
    await model.resolveContextWindow();
    expect(model.parallelism).toBe(2);
  });

  it("a discovery that fails later keeps the window the server told before", async () => {
    const s = await servers.start({ flavour: "vllm", contextWindow: 2048, models: ["m"] });
    const model = new OpenAIChatModel({ baseURL: s.url, model: "m", windowTtlMs: 1 });
    expect(await model.resolveContextWindow()).toMatchObject({ tokens: 2048, source: "server" });
    await s.close();
    await new Promise((r) => setTimeout(r, 5));
    // the refresh runs in the background and fails: the known window stays
    await model.resolveContextWindow();
    await new Promise((r) => setTimeout(r, 300));
    expect(model.contextWindowInfo()).toMatchObject({ tokens: 2048, source: "server" });
  });
});
