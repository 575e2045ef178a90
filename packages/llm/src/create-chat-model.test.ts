import { startFakeOpenAI, type FakeOpenAIServer } from "@alma/testing";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { ChatModel } from "./chat-model.js";
import { createChatModel } from "./create-chat-model.js";
import { chooseProvider, DEFAULT_LOCAL_MODEL, llmConfigFromEnv, parseLlmConfig } from "./llm-config.js";
import { LocalChatModel } from "./local-chat-model.js";
import { OpenAIChatModel } from "./openai-chat-model.js";
import { ScriptedChatModel } from "./scripted-chat-model.js";

const STORIES = fileURLToPath(new URL("../../../../shared/models/stories260K.gguf", import.meta.url));

const open: ChatModel[] = [];
let server: FakeOpenAIServer | undefined;
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
  await server?.close();
  server = undefined;
});
function track<T extends ChatModel>(m: T): T {
  open.push(m);
  return m;
}

describe("provider choice", () => {
  it("uses openai when a key or a base URL is set, else local with the default model", () => {
    expect(chooseProvider(parseLlmConfig({ openai: { apiKey: "sk-x" } }))).toBe("openai");
    expect(chooseProvider(parseLlmConfig({ openai: { baseURL: "http://127.0.0.1:11434/v1" } }))).toBe("openai");
    const empty = parseLlmConfig({});
    expect(chooseProvider(empty)).toBe("local");
    expect(empty.local).toMatchObject({ model: DEFAULT_LOCAL_MODEL, threads: 1 });
  });

  it("an explicit provider wins over the key", () => {
    expect(chooseProvider(parseLlmConfig({ provider: "local", openai: { apiKey: "sk-x" } }))).toBe("local");
    expect(chooseProvider(parseLlmConfig({ provider: "scripted" }))).toBe("scripted");
  });

  it("maps environment variables, ignoring blanks", () => {
    const input = llmConfigFromEnv({ OPENAI_BASE_URL: "http://127.0.0.1:11434/v1", OPENAI_MODEL: "qwen2.5:0.5b", OPENAI_API_KEY: " ", ALMA_THREADS: "2" });
    expect(input).toEqual({ openai: { baseURL: "http://127.0.0.1:11434/v1", model: "qwen2.5:0.5b" }, local: { threads: 2 }, scripted: {} });
    expect(
      llmConfigFromEnv({
        ALMA_PROVIDER: "local",
        ALMA_MODEL: "/models/x.gguf",
        ALMA_MODEL_CACHE_DIR: "/cache",
        HF_ENDPOINT: "https://hf-mirror.com",
        ALMA_IDLE_TIMEOUT_MS: "5000",
      }),
    ).toEqual({
      provider: "local",
      openai: { idleTimeoutMs: 5000 },
      local: { model: "/models/x.gguf", modelsDir: "/cache", hfEndpoint: "https://hf-mirror.com" },
      scripted: {},
    });
    expect(chooseProvider(parseLlmConfig(input))).toBe("openai");
  });

  it("rejects invalid settings naming each one", () => {
    expect(() => parseLlmConfig({ provider: "anthropic" })).toThrow(/provider/);
    expect(() => parseLlmConfig({ openai: { baseURL: "localhost:11434" } })).toThrow(/http\(s\) URL[\s\S]*openai\.baseURL/);
    expect(() => parseLlmConfig(llmConfigFromEnv({ ALMA_THREADS: "many" }))).toThrow(/threads/);
  });
});

describe("createChatModel", () => {
  it("builds an OpenAI model against a compatible server and probes it", async () => {
    server = await startFakeOpenAI({ models: ["qwen2.5:0.5b"] });
    const model = track(createChatModel({ openai: { baseURL: server.url, model: "qwen2.5:0.5b" } }));
    expect(model).toBeInstanceOf(OpenAIChatModel);
    expect(model.status()).toMatchObject({ ready: true, provider: "openai", model: "qwen2.5:0.5b" });
    const probe = await server.waitForRequest(0);
    expect(probe.path).toBe("/v1/models");
  });

  it("reports openai without a key against OpenAI itself as unavailable, with the fixes", () => {
    const model = track(createChatModel({ provider: "openai" }));
    expect(model.status()).toMatchObject({ ready: false, state: "unavailable" });
    expect(model.status().problem).toContain("OPENAI_API_KEY is not set");
    expect(model.status().setup).toHaveLength(3);
  });

  it("builds a local model from a GGUF path", async () => {
    const model = track(createChatModel({ local: { model: STORIES } }));
    expect(model).toBeInstanceOf(LocalChatModel);
    expect((await (model as LocalChatModel).load()).state).toBe("ready");
  });

  it("keeps running with an unavailable local model when the default cannot be downloaded", async () => {
    // the default model, with its download pointed at a closed local port, stands in for an offline machine
    const modelsDir = await mkdtemp(join(tmpdir(), "alma-offline-"));
    try {
      const model = track(createChatModel({ local: { hfEndpoint: "http://127.0.0.1:9/", modelsDir } }));
      expect(model).toBeInstanceOf(LocalChatModel);
      expect(model.model).toBe(DEFAULT_LOCAL_MODEL);
      const status = await (model as LocalChatModel).load();
      expect(status).toMatchObject({ ready: false, state: "unavailable" });
      expect(status.problem).toContain(DEFAULT_LOCAL_MODEL);
      expect(status.setup.join(" ")).toMatch(/OPENAI_API_KEY[\s\S]*OPENAI_BASE_URL[\s\S]*ALMA_MODEL/);
      await expect(
        (async () => {
          for await (const _ of model.stream([{ role: "user", content: "hi" }], { maxOutputTokens: 4 }));
        })(),
      ).rejects.toMatchObject({ code: "local_model_error" });
    } finally {
      await rm(modelsDir, { recursive: true, force: true });
    }
  });

  it("builds the scripted model only when asked", async () => {
    const model = track(createChatModel({ provider: "scripted", scripted: { reply: "fixed answer", tokensPerSecond: 0 } }));
    expect(model).toBeInstanceOf(ScriptedChatModel);
    let text = "";
    for await (const c of model.stream([{ role: "user", content: "q" }], { maxOutputTokens: 10 })) if (c.type === "delta") text += c.text;
    expect(text).toBe("fixed answer");
  });
});
