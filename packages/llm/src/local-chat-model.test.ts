import { createReadStream, statSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ModelStatus } from "@alma/protocol";
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage } from "./chat-message.js";
import type { GenerateOptions } from "./chat-model.js";
import { LlmError } from "./llm-error.js";
import { LocalChatModel } from "./local-chat-model.js";
import { readChatStream } from "./testing/read-chat-stream.js";

const STORIES = fileURLToPath(new URL("../../../../shared/models/stories260K.gguf", import.meta.url));

const once: ChatMessage[] = [
  { role: "system", content: "You tell short stories." },
  { role: "user", content: "Once upon a time there was a little cat." },
];
const other: ChatMessage[] = [{ role: "user", content: "The dog ran to the park and saw a big ball." }];

async function generate(model: LocalChatModel, messages: ChatMessage[], options: Partial<GenerateOptions> = {}) {
  const read = await readChatStream(model.stream(messages, { maxOutputTokens: 24, ...options }));
  return { ...read, done: read.done! };
}

describe("LocalChatModel with stories260K", () => {
  let model: LocalChatModel;
  const states: ModelStatus["state"][] = [];

  beforeAll(async () => {
    model = new LocalChatModel({ model: STORIES, threads: 1, autoLoad: false, progressBar: false });
    model.onStatus((s) => states.push(s.state));
    expect(model.status()).toMatchObject({ ready: false, state: "loading", provider: "local", model: "stories260K.gguf" });
    await model.load();
  });
  afterAll(async () => {
    await model.close();
  });

  it("loads in the background to ready with the context window of the loaded context", () => {
    expect(states.at(-1)).toBe("ready");
    expect(model.status()).toMatchObject({ ready: true, state: "ready", contextWindow: 2048, problem: null });
    expect(model.contextWindow()).toBe(2048);
    expect(model.chatWrapperName()).toBe("General");
  });

  it("streams real tokens in order and stops at maxTokens with finish length", async () => {
    const { deltas, text, done } = await generate(model, once, { maxOutputTokens: 24 });
    expect(deltas.length).toBeGreaterThanOrEqual(10);
    expect(text.trim().length).toBeGreaterThan(10);
    expect(done.finishReason).toBe("length");
    expect(done.usage).toMatchObject({ completionTokens: 24, reported: true });
    expect(done.usage.promptTokens).toBe(await model.countPromptTokens(once));
  });

  it("counts prompt tokens with the model's tokenizer and chat rendering", async () => {
    const short = await model.countPromptTokens([{ role: "user", content: "Hi" }]);
    const long = await model.countPromptTokens(once);
    expect(short).toBeGreaterThan(2);
    expect(long).toBeGreaterThan(short + 10);
  });

  it("tokenizes text with the loaded model's own tokenizer", async () => {
    const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
    const reference = await llama.loadModel({ modelPath: STORIES });
    try {
      const texts = ["Once upon a time there was a little cat.", "Hi", "  spaced   out\n\nlines ", "ünïcödé and emoji 🐈", "x".repeat(500)];
      for (const text of texts) {
        const n = await model.tokenize(text);
        expect(n).toBeGreaterThan(0);
        expect(n).toBe(reference.tokenize(text).length);
      }
      expect(await model.tokenize("")).toBe(0);
    } finally {
      await reference.dispose();
    }
  });

  it("keeps one context uncorrupted across different prompts and concurrent calls", async () => {
    const first = await generate(model, once);
    await generate(model, other);
    const again = await generate(model, once);
    expect(again.text).toBe(first.text);
    const [a, b] = await Promise.all([generate(model, once), generate(model, other)]);
    expect(a.text).toBe(first.text);
    expect(b.text).toBe((await generate(model, other)).text);
  });

  it("ends generation promptly when the signal aborts, and stays usable", async () => {
    const controller = new AbortController();
    let seen = 0;
    let abortedAt = 0;
    const error = await (async () => {
      try {
        for await (const chunk of model.stream(once, { maxOutputTokens: 400, signal: controller.signal })) {
          if (chunk.type === "delta" && ++seen === 3) {
            abortedAt = performance.now();
            controller.abort();
          }
        }
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({ code: "aborted", afterFirstToken: true });
    expect(seen).toBe(3);
    expect(performance.now() - abortedAt).toBeLessThan(200);
    const after = await generate(model, other, { maxOutputTokens: 8 });
    expect(after.done.usage.completionTokens).toBe(8);
  });

  it("a consumer that stops iterating frees the model for the next generation", async () => {
    for await (const chunk of model.stream(once, { maxOutputTokens: 400 })) if (chunk.type === "delta") break;
    const next = await generate(model, other, { maxOutputTokens: 5 });
    expect(next.done.finishReason).toBe("length");
  });

  it("refuses a conversation longer than the context", async () => {
    // llama.cpp rounds small contexts up to 256 tokens
    const small = new LocalChatModel({ model: STORIES, contextSize: 256, progressBar: false });
    try {
      const long: ChatMessage[] = [{ role: "user", content: "the cat sat on the mat. ".repeat(100) }];
      await expect(generate(small, long)).rejects.toMatchObject({ code: "provider_context_length" });
      expect(small.contextWindow()).toBe(256);
    } finally {
      await small.close();
    }
  });
});

describe("LocalChatModel failures", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "alma-local-model-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("a missing file makes the status unavailable with the three fixes, and stream throws local_model_error", async () => {
    const missing = join(dir, "nope.gguf");
    const model = new LocalChatModel({ model: missing, progressBar: false });
    const status = await model.load();
    expect(status).toMatchObject({ ready: false, state: "unavailable" });
    expect(status.problem).toContain(missing);
    expect(status.setup.join("\n")).toMatch(/OPENAI_API_KEY[\s\S]*OPENAI_BASE_URL[\s\S]*ALMA_MODEL/);
    await expect(generate(model, once)).rejects.toMatchObject({ code: "local_model_error" });
    await expect(model.tokenize("Hi")).rejects.toMatchObject({ name: "LlmError", code: "local_model_error", message: status.problem });
    await model.close();
    await expect(model.tokenize("Hi")).rejects.toMatchObject({ code: "local_model_error", message: "the local model was closed" });
  });

  it("a corrupt file makes the status unavailable without crashing", async () => {
    const corrupt = join(dir, "corrupt.gguf");
    await writeFile(corrupt, Buffer.from("GGUF this is not really a model".repeat(10)));
    const model = new LocalChatModel({ model: corrupt, progressBar: false });
    const status = await model.load();
    expect(status.state).toBe("unavailable");
    expect(status.problem).toMatch(/corrupt or not a GGUF model/);
    await model.close();
  });

  it("an hf: URI that cannot be downloaded (offline) leaves the model unavailable", async () => {
    const model = new LocalChatModel({
      model: "hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf",
      modelsDir: dir,
      progressBar: false,
      endpoints: { huggingFace: "http://127.0.0.1:9/" },
    });
    const status = await model.load();
    expect(status).toMatchObject({ ready: false, state: "unavailable" });
    expect(status.problem).toContain("Could not download the model hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF");
    expect(status.problem).toContain("cannot be reached");
    expect(status.setup).toHaveLength(3);
    await model.close();
  });
});

describe("LocalChatModel download", () => {
  let server: Server;
  let dir: string;
  let url: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "alma-download-"));
    const size = statSync(STORIES).size;
    server = createServer((req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(size), "accept-ranges": "none" });
      if (req.method === "HEAD") return res.end();
      createReadStream(STORIES).pipe(res);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stories260K.gguf`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it("downloads a model URL once into the cache folder, reporting progress, then loads it", async () => {
    const model = new LocalChatModel({ model: url, modelsDir: dir, progressBar: false, autoLoad: false });
    const seen: ModelStatus[] = [];
    model.onStatus((s) => seen.push(s));
    const status = await model.load();
    expect(status).toMatchObject({ ready: true, state: "ready" });
    expect(statSync(join(dir, "stories260K.gguf")).size).toBe(statSync(STORIES).size);
    const downloading = seen.filter((s) => s.state === "downloading");
    expect(downloading.length).toBeGreaterThan(0);
    expect(downloading.at(-1)!.download).toMatchObject({ totalBytes: statSync(STORIES).size, file: url });
    const { done } = await generate(model, once, { maxOutputTokens: 4 });
    expect(done.usage.completionTokens).toBe(4);
    await model.close();
  });

  it("loads an already downloaded model from the cache without the network", async () => {
    const port = (server.address() as AddressInfo).port;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    const model = new LocalChatModel({ model: `http://127.0.0.1:${port}/stories260K.gguf`, modelsDir: dir, progressBar: false });
    const seen: string[] = [];
    model.onStatus((s) => seen.push(s.state));
    expect((await model.load()).state).toBe("ready");
    expect(seen).not.toContain("downloading");
    await model.close();
    server.listen(0, "127.0.0.1");
  });

  it("gives up a download that makes no progress, in words", async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    try {
      const model = new LocalChatModel({
        model: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/other.gguf`,
        modelsDir: dir,
        progressBar: false,
        connectTimeoutMs: 200,
        downloadStallTimeoutMs: 300,
      });
      const status = await model.load();
      expect(status.state).toBe("unavailable");
      expect(status.problem).toMatch(/cannot be reached|no progress/);
      await model.close();
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });
});
