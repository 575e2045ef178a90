import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fakeOpenAIServers, type FakeOpenAIServer } from "@alma/testing";
import { afterEach, describe, expect, it } from "vitest";
import { discoverContextWindow } from "./discover-context-window.js";

const servers = fakeOpenAIServers();
afterEach(() => servers.closeAll());

async function discoverFrom(s: FakeOpenAIServer, model: string, extra: { apiKey?: string; loadOllamaModel?: boolean } = {}) {
  const found = await discoverContextWindow({ baseURL: s.url, model, timeoutMs: 1000, ...extra });
  // discovery reads metadata only: a chat request would cost tokens and could trigger a silent cut
  expect(s.chatRequests()).toHaveLength(0);
  return found;
}

describe("discoverContextWindow", () => {
  it("asks nothing of OpenAI itself, whose API does not tell the window", async () => {
    const calls: string[] = [];
    const fakeFetch = (async (url: string | URL | Request) => {
      calls.push(String(url));
      throw new Error("must not be called");
    }) as typeof fetch;
    const found = await discoverContextWindow({ baseURL: "https://api.openai.com/v1", model: "gpt-4o", fetch: fakeFetch });
    expect(found).toMatchObject({ tokens: null, server: "openai", silentTruncation: false });
    expect(found.detail).toMatch(/OpenAI/);
    expect(calls).toEqual([]);
  });

  it("finds nothing on a server that only lists model ids", async () => {
    const s = await servers.start({ contextWindow: 4096 });
    const found = await discoverFrom(s, "gpt-4o-mini");
    expect(found).toMatchObject({ tokens: null, server: "unknown", silentTruncation: false });
    expect(found.detail).toMatch(/nothing told the window/);
  });

  it("reads vLLM's max_model_len, with the API key", async () => {
    const s = await servers.start({ flavour: "vllm", contextWindow: 8192, models: ["Qwen/Qwen2.5-7B-Instruct", "other"], apiKey: "sk-vllm" });
    const found = await discoverFrom(s, "Qwen/Qwen2.5-7B-Instruct", { apiKey: "sk-vllm" });
    expect(found).toEqual({ tokens: 8192, server: "vllm", detail: "vLLM: GET /v1/models max_model_len", silentTruncation: false });
    expect(s.requests.every((r) => r.headers.authorization === "Bearer sk-vllm")).toBe(true);
  });

  it("reads llama.cpp's runtime n_ctx from /props, never the larger n_ctx_train", async () => {
    const s = await servers.start({ flavour: "llamacpp", contextWindow: 4096, trainedContextWindow: 32_768 });
    const found = await discoverFrom(s, "whatever-the-client-calls-it");
    expect(found).toEqual({
      tokens: 4096,
      server: "llamacpp",
      detail: "llama.cpp: GET /props default_generation_settings.n_ctx",
      silentTruncation: false,
      trainedTokens: 32_768,
      slots: 1,
    });
  });

  it("takes llama.cpp's per-slot window when it runs several slots", async () => {
    const s = await servers.start({ flavour: "llamacpp", contextWindow: 2048, slots: 4, trainedContextWindow: 32_768 });
    const found = await discoverFrom(s, "m");
    expect(found).toMatchObject({ tokens: 2048, server: "llamacpp" });
    expect(found.detail).toBe("llama.cpp: GET /props default_generation_settings.n_ctx (per slot, 4 slots)");
  });

  it("falls back to llama.cpp's /v1/props when /props is not served at the root", async () => {
    const s = await servers.start({ flavour: "llamacpp", contextWindow: 3000 });
    const fetchNoRootProps = ((url: string | URL | Request, init?: RequestInit) =>
      new URL(String(url)).pathname === "/props" ? Promise.resolve(new Response("gone", { status: 404 })) : fetch(url, init)) as typeof fetch;
    const found = await discoverContextWindow({ baseURL: s.url, model: "m", fetch: fetchNoRootProps });
    expect(found).toMatchObject({ tokens: 3000, server: "llamacpp", detail: "llama.cpp: GET /v1/props default_generation_settings.n_ctx" });
  });

  it("assumes Ollama's default context for a model not loaded yet, then reads the loaded one after a chat", async () => {
    const s = await servers.start({ flavour: "ollama", contextWindow: 8192, trainedContextWindow: 32_768, models: ["qwen2.5:latest"] });
    const before = await discoverFrom(s, "qwen2.5", { loadOllamaModel: false });
    expect(before).toMatchObject({ tokens: 4096, server: "ollama", silentTruncation: true, trainedTokens: 32_768 });
    expect(before.detail).toMatch(/not loaded yet/);

    const res = await fetch(`${s.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "qwen2.5", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(200);
    await res.json();
    s.reset();
    const after = await discoverFrom(s, "qwen2.5");
    expect(after).toEqual({
      tokens: 8192,
      server: "ollama",
      detail: "Ollama: GET /api/ps context_length (the loaded context)",
      silentTruncation: true,
      trainedTokens: 32_768,
    });
    // the tagged name matches too
    expect((await discoverFrom(s, "qwen2.5:latest")).tokens).toBe(8192);
  });

  it("reads Ollama's num_ctx from /api/show when the model is not loaded", async () => {
    const s = await servers.start({ flavour: "ollama", ollamaNumCtx: 16_384, trainedContextWindow: 32_768, models: ["llama3.1:8b"] });
    const found = await discoverFrom(s, "llama3.1:8b", { loadOllamaModel: false });
    expect(found).toMatchObject({ tokens: 16_384, server: "ollama", silentTruncation: true, trainedTokens: 32_768 });
    expect(found.detail).toBe("Ollama: POST /api/show parameters num_ctx (model not loaded yet)");
  });

  it("loads an Ollama model that is not loaded yet (empty /api/generate) and reads the context it loaded with", async () => {
    const s = await servers.start({ flavour: "ollama", contextWindow: 2048, trainedContextWindow: 32_768, models: ["qwen2.5:latest"] });
    const found = await discoverFrom(s, "qwen2.5");
    expect(found).toMatchObject({ tokens: 2048, server: "ollama", detail: "Ollama: GET /api/ps context_length (the loaded context)" });
    const loads = s.requests.filter((r) => r.path === "/api/generate");
    expect(loads).toHaveLength(1);
    expect(loads[0]!.body).toEqual({ model: "qwen2.5", prompt: "" });
  });

  it("caps Ollama's assumed default by the trained context", async () => {
    const s = await servers.start({ flavour: "ollama", contextWindow: 2048, trainedContextWindow: 2048 });
    expect(await discoverFrom(s, "tinyllama")).toMatchObject({ tokens: 2048, server: "ollama", trainedTokens: 2048 });
  });

  it("reads a preloaded Ollama model from /api/ps", async () => {
    const s = await servers.start({ flavour: "ollama", ollamaPreloaded: true, contextWindow: 12_000, models: ["mistral:7b"] });
    expect(await discoverFrom(s, "mistral:7b")).toMatchObject({ tokens: 12_000, detail: "Ollama: GET /api/ps context_length (the loaded context)" });
  });

  it("reads LM Studio's loaded_context_length, and names a model it does not list", async () => {
    const s = await servers.start({ flavour: "lmstudio", contextWindow: 4096, trainedContextWindow: 131_072, models: ["qwen2.5-7b-instruct", "llama-3.2-3b"] });
    expect(await discoverFrom(s, "llama-3.2-3b")).toEqual({
      tokens: 4096,
      server: "lmstudio",
      detail: "LM Studio: GET /api/v0/models loaded_context_length",
      silentTruncation: false,
      trainedTokens: 131_072,
    });
    const missing = await discoverFrom(s, "gemma-3");
    expect(missing).toMatchObject({ tokens: null, server: "lmstudio" });
    expect(missing.detail).toContain("gemma-3");
  });

  it("falls back to LM Studio's max_context_length when no loaded length is given", async () => {
    const fakeFetch = (async (url: string | URL | Request) =>
      new URL(String(url)).pathname === "/api/v0/models"
        ? Response.json({ data: [{ id: "phi-4", type: "llm", state: "not-loaded", max_context_length: 16_384 }] })
        : new Response("nope", { status: 404 })) as typeof fetch;
    const found = await discoverContextWindow({ baseURL: "http://127.0.0.1:1234/v1", model: "phi-4", fetch: fakeFetch });
    expect(found).toMatchObject({ tokens: 16_384, server: "lmstudio", detail: "LM Studio: GET /api/v0/models max_context_length (not loaded)" });
  });

  it("ends in tokens null, never throwing, when nothing answers", async () => {
    const s = await servers.start({});
    const deadURL = s.url;
    await s.close();
    const found = await discoverContextWindow({ baseURL: deadURL, model: "m", timeoutMs: 500 });
    expect(found).toMatchObject({ tokens: null, server: "unknown" });
    expect(found.detail).toMatch(/could not reach/);
    expect(await discoverContextWindow({ baseURL: "not a url", model: "m" })).toMatchObject({ tokens: null, server: "unknown" });
    const throwing = (() => {
      throw new Error("boom");
    }) as unknown as typeof fetch;
    expect(await discoverContextWindow({ baseURL: "http://127.0.0.1:9/v1", model: "m", fetch: throwing })).toMatchObject({ tokens: null, server: "unknown" });
  });

  it("gives up on a server that never answers within the timeout", async () => {
    const silent: Server = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const started = Date.now();
      const found = await discoverContextWindow({ baseURL: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/v1`, model: "m", timeoutMs: 150 });
      expect(found).toMatchObject({ tokens: null, server: "unknown" });
      expect(found.detail).toMatch(/no answer within 150 ms/);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it("stops when the caller aborts", async () => {
    const s = await servers.start({ flavour: "vllm" });
    const found = await discoverContextWindow({ baseURL: s.url, model: "m", signal: AbortSignal.abort() });
    expect(found).toMatchObject({ tokens: null, server: "unknown", detail: "context window discovery was aborted" });
  });
});
