import { afterEach, describe, expect, it } from "vitest";
import { countOpenAIChatTokens } from "./count-openai-chat-tokens.js";
import { readSSEData } from "./read-sse-data.js";
import { startFakeOpenAI, type FakeOpenAIOptions, type FakeOpenAIServer } from "./start-fake-openai.js";

// Every test here talks to the fake over real HTTP, the way a client would.

let server: FakeOpenAIServer | undefined;

async function start(options: FakeOpenAIOptions) {
  await server?.close();
  server = await startFakeOpenAI(options);
  return server;
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

type Message = { role: string; content: string };
const userHello: Message[] = [{ role: "user", content: "Hello" }];
const HELLO_TOKENS = countOpenAIChatTokens(userHello);

function chat(s: FakeOpenAIServer, body: Record<string, unknown>) {
  return fetch(`${s.url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "m", messages: userHello, ...body }),
  });
}

async function get(s: FakeOpenAIServer, path: string) {
  const res = await fetch(`${s.rootUrl}${path}`);
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, text, json, type: res.headers.get("content-type") ?? "" };
}

async function streamed(res: Response): Promise<{ text: string; finish: string | null; usage: any }> {
  let text = "";
  let finish: string | null = null;
  let usage: any = null;
  for await (const data of readSSEData(res.body!)) {
    if (data === "[DONE]") break;
    const chunk = JSON.parse(data);
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    text += choice.delta.content ?? "";
    finish = choice.finish_reason ?? finish;
  }
  return { text, finish, usage };
}

const words = (n: number) => "x ".repeat(n).trim();

describe("openai flavour", () => {
  it("tells its window only in the 400, lists model ids only, and knows no other server's endpoints", async () => {
    const s = await start({ contextWindow: 100, models: ["gpt-4o-mini"] });
    expect(s.flavour).toBe("openai");
    const models = await get(s, "/v1/models");
    expect(models.json.data).toEqual([{ id: "gpt-4o-mini", object: "model", created: expect.any(Number), owned_by: "fake-openai" }]);
    for (const path of ["/props", "/version", "/api/version", "/api/v0/models", "/api/ps"]) {
      const probe = await get(s, path);
      expect(probe.status, path).toBe(404);
      expect(probe.json.error.message).toBe(`Invalid URL (GET ${path})`);
    }
    const over = await chat(s, { model: "gpt-4o-mini", max_tokens: 100 - HELLO_TOKENS + 1 });
    expect(over.status).toBe(400);
    expect((await over.json()).error.code).toBe("context_length_exceeded");
  });

  it("records prompt, max_tokens and the window on every chat request, refused ones included", async () => {
    const s = await start({ contextWindow: 100 });
    await (await chat(s, { max_tokens: 100 - HELLO_TOKENS })).json();
    await (await chat(s, { max_tokens: 100 - HELLO_TOKENS + 1 })).json();
    const [fits, over] = s.chatRequests();
    expect(fits).toMatchObject({ promptTokens: HELLO_TOKENS, maxTokens: 100 - HELLO_TOKENS, contextWindow: 100, overWindow: false, status: 200 });
    expect(over).toMatchObject({ promptTokens: HELLO_TOKENS, maxTokens: 101 - HELLO_TOKENS, contextWindow: 100, overWindow: true, status: 400, chat: null });
    expect(s.overWindowRequests()).toEqual([over]);
  });

  it("enforces no window and records none when contextWindow is unset", async () => {
    const s = await start({});
    expect(s.contextWindow).toBeNull();
    const res = await chat(s, { messages: [{ role: "user", content: words(3000) }], max_tokens: 1_000_000 });
    expect(res.status).toBe(200);
    await res.json();
    expect(s.chatRequests()[0]).toMatchObject({ contextWindow: null, overWindow: false, maxTokens: 1_000_000 });
  });
});

describe("vllm flavour", () => {
  it("answers /version, an empty /health and max_model_len in /v1/models", async () => {
    const s = await start({ flavour: "vllm", contextWindow: 8192, models: ["Qwen/Qwen2.5-7B-Instruct"] });
    expect((await get(s, "/version")).json).toEqual({ version: "0.11.0" });
    const health = await get(s, "/health");
    expect(health).toMatchObject({ status: 200, text: "" });
    const models = await get(s, "/v1/models");
    expect(models.json.data[0]).toMatchObject({
      id: "Qwen/Qwen2.5-7B-Instruct",
      object: "model",
      owned_by: "vllm",
      root: "Qwen/Qwen2.5-7B-Instruct",
      max_model_len: 8192,
    });
    expect(await get(s, "/props")).toMatchObject({ status: 404, json: { detail: "Not Found" } });
  });

  it("refuses a prompt that fills the window in vLLM's words", async () => {
    const s = await start({ flavour: "vllm", contextWindow: 50 });
    const messages = [{ role: "user", content: words(60) }];
    const prompt = countOpenAIChatTokens(messages);
    const res = await chat(s, { messages });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        message: `This model's maximum context length is 50 tokens. However, your request has ${prompt} input tokens. Please reduce the length of the input messages.`,
        type: "BadRequestError",
        param: null,
        code: 400,
      },
    });
    expect(s.chatRequests()[0]).toMatchObject({ promptTokens: prompt, overWindow: true });
  });

  it("refuses max_tokens beyond the rest of the window, and accepts exactly the rest", async () => {
    const s = await start({ flavour: "vllm", contextWindow: 100 });
    const rest = 100 - HELLO_TOKENS;
    const over = await chat(s, { max_completion_tokens: rest + 1 });
    expect(over.status).toBe(400);
    expect((await over.json()).error.message).toBe(
      `'max_tokens' or 'max_completion_tokens' is too large: ${rest + 1}. This model's maximum context length is 100 tokens and your request has ${HELLO_TOKENS} input tokens (${rest + 1} > 100 - ${HELLO_TOKENS}).`,
    );
    const fits = await chat(s, { max_tokens: rest });
    expect(fits.status).toBe(200);
    await fits.json();
  });

  it("without max_tokens lets the answer run to the end of the window, paced by tokensPerSecond", async () => {
    const s = await start({ flavour: "vllm", contextWindow: HELLO_TOKENS + 5, handler: () => ({ text: words(20) }), tokensPerSecond: 100 });
    const started = Date.now();
    const out = await streamed(await chat(s, { stream: true, stream_options: { include_usage: true } }));
    expect(out.text).toBe(words(5));
    expect(out.finish).toBe("length");
    expect(out.usage).toMatchObject({ prompt_tokens: HELLO_TOKENS, completion_tokens: 5 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
  });
});

describe("llamacpp flavour", () => {
  it("tells the per-slot n_ctx in /props and /v1/props, and a larger training context in /v1/models", async () => {
    const s = await start({ flavour: "llamacpp", contextWindow: 4096, slots: 2, trainedContextWindow: 32_768 });
    expect(await get(s, "/health")).toMatchObject({ status: 200, json: { status: "ok" } });
    for (const path of ["/props", "/v1/props"]) {
      const props = (await get(s, path)).json;
      expect(props.default_generation_settings.n_ctx, path).toBe(4096);
      expect(props.total_slots).toBe(2);
      expect(props.model_path).toEqual(expect.any(String));
      expect(props.build_info).toEqual(expect.any(String));
    }
    const slots = (await get(s, "/slots")).json;
    expect(slots.map((slot: { n_ctx: number }) => slot.n_ctx)).toEqual([4096, 4096]);
    const models = (await get(s, "/v1/models")).json;
    expect(models.data[0].meta).toMatchObject({ n_ctx_train: 32_768, n_vocab: expect.any(Number) });
    expect(models.data[0].max_model_len).toBeUndefined();
    expect(await get(s, "/version")).toMatchObject({ status: 404, json: { error: { code: 404, type: "not_found_error" } } });
  });

  it("defaults to one slot", async () => {
    const s = await start({ flavour: "llamacpp" });
    const props = (await get(s, "/props")).json;
    expect(props.total_slots).toBe(1);
    expect(props.default_generation_settings.n_ctx).toBe(s.contextWindow);
  });

  it("refuses a prompt that fills the slot with exceed_context_size_error", async () => {
    const s = await start({ flavour: "llamacpp", contextWindow: 40 });
    const messages = [{ role: "user", content: words(50) }];
    const prompt = countOpenAIChatTokens(messages);
    const res = await chat(s, { messages, stream: true });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        code: 400,
        message: `request (${prompt} tokens) exceeds the available context size (40 tokens), try increasing it`,
        type: "exceed_context_size_error",
        n_prompt_tokens: prompt,
        n_ctx: 40,
      },
    });
  });

  it("accepts prompt + max_tokens over n_ctx but stops the answer at the end of the slot", async () => {
    const s = await start({ flavour: "llamacpp", contextWindow: HELLO_TOKENS + 4, handler: () => words(30) });
    const res = await chat(s, { stream: true, max_tokens: 100 });
    expect(res.status).toBe(200);
    const out = await streamed(res);
    expect(out).toMatchObject({ text: words(4), finish: "length" });
    expect(s.chatRequests()[0]).toMatchObject({ overWindow: true, truncatedPrompt: false, status: 200 });
  });
});

describe("ollama flavour", () => {
  it("says it is running, tells its version, and the trained context in /api/show", async () => {
    const s = await start({ flavour: "ollama", models: ["qwen2.5:7b"], trainedContextWindow: 32_768 });
    expect(await get(s, "/")).toMatchObject({ status: 200, text: "Ollama is running" });
    expect((await get(s, "/api/version")).json).toEqual({ version: "0.12.3" });
    const show = await fetch(`${s.rootUrl}/api/show`, { method: "POST", body: JSON.stringify({ model: "qwen2.5:7b" }) });
    const json = await show.json();
    expect(json.model_info).toMatchObject({ "general.architecture": "qwen2", "qwen2.context_length": 32_768 });
    expect(json.parameters).not.toMatch(/num_ctx/);
    expect(json.details).toMatchObject({ family: "qwen2" });
    expect(s.requests.at(-1)?.body).toEqual({ model: "qwen2.5:7b" });
  });

  it("answers /api/show for an unknown model with 404", async () => {
    const s = await start({ flavour: "ollama", models: ["qwen2.5:7b"] });
    const res = await fetch(`${s.rootUrl}/api/show`, { method: "POST", body: JSON.stringify({ model: "llama3" }) });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "model 'llama3' not found" });
    expect(await get(s, "/props")).toMatchObject({ status: 404, text: "404 page not found" });
  });

  it("knows a bare model name as its :latest tag, and no model outside the list", async () => {
    const s = await start({ flavour: "ollama", models: ["qwen2.5:latest"] });
    const ok = await chat(s, { model: "qwen2.5" });
    expect(ok.status).toBe(200);
    await ok.json();
    const missing = await chat(s, { model: "llama3" });
    expect(missing.status).toBe(404);
    await missing.json();
    const show = await fetch(`${s.rootUrl}/api/show`, { method: "POST", body: JSON.stringify({ name: "qwen2.5" }) });
    expect(show.status).toBe(200);
    await show.json();
  });

  it("shows num_ctx in the parameters when set, and loads the model with it", async () => {
    const s = await start({ flavour: "ollama", ollamaNumCtx: 8192, ollamaPreloaded: true, models: ["qwen2.5:7b"] });
    expect(s.contextWindow).toBe(8192);
    const json = await (await fetch(`${s.rootUrl}/api/show`, { method: "POST", body: JSON.stringify({ model: "qwen2.5:7b" }) })).json();
    expect(json.parameters).toMatch(/^num_ctx\s+8192$/m);
    expect((await get(s, "/api/ps")).json.models[0]).toMatchObject({ name: "qwen2.5:7b", context_length: 8192 });
  });

  it("lists a model in /api/ps only once a chat request loaded it, under its tagged name", async () => {
    const s = await start({ flavour: "ollama", contextWindow: 4096 });
    expect((await get(s, "/api/ps")).json).toEqual({ models: [] });
    await (await chat(s, { model: "qwen2.5" })).json();
    const loaded = (await get(s, "/api/ps")).json.models;
    expect(loaded).toHaveLength(1);
    expect(loaded[0]).toMatchObject({ name: "qwen2.5:latest", model: "qwen2.5:latest", context_length: 4096, expires_at: expect.any(String), size: expect.any(Number) });
  });

  it("lists the models before any chat when preloaded", async () => {
    const s = await start({ flavour: "ollama", ollamaPreloaded: true, models: ["llama3.2:3b"] });
    expect((await get(s, "/api/ps")).json.models.map((m: { name: string }) => m.name)).toEqual(["llama3.2:3b"]);
  });

  it("never refuses an over-long prompt: it drops the earliest non-system messages and answers 200", async () => {
    const system: Message = { role: "system", content: "Be brief." };
    const old1: Message = { role: "user", content: words(40) };
    const old2: Message = { role: "assistant", content: words(40) };
    const last: Message = { role: "user", content: "Hello" };
    const messages = [system, old1, old2, last];
    const kept = [system, last];
    const window = countOpenAIChatTokens([system, old2, last]) - 1;
    const s = await start({ flavour: "ollama", contextWindow: window, handler: () => "ok" });
    const res = await chat(s, { messages, stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    const out = await streamed(res);
    expect(out.text).toBe("ok");
    expect(out.usage.prompt_tokens).toBe(countOpenAIChatTokens(kept));
    const record = s.chatRequests()[0]!;
    expect(record).toMatchObject({
      truncatedPrompt: true,
      droppedMessages: 2,
      droppedPromptTokens: countOpenAIChatTokens(messages) - countOpenAIChatTokens(kept),
      promptTokens: countOpenAIChatTokens(messages),
      overWindow: true,
    });
    expect(s.overWindowRequests()).toEqual([record]);
  });

  it("does not cut a prompt that fits, and stops the answer at the end of the window", async () => {
    const s = await start({ flavour: "ollama", contextWindow: HELLO_TOKENS + 3, handler: () => words(10) });
    const out = await streamed(await chat(s, { stream: true }));
    expect(out).toMatchObject({ text: words(3), finish: "length" });
    expect(s.chatRequests()[0]).toMatchObject({ truncatedPrompt: false, droppedPromptTokens: 0, droppedMessages: 0 });
  });
});

describe("lmstudio flavour", () => {
  it("tells the loaded and the maximum context length in /api/v0/models", async () => {
    const s = await start({ flavour: "lmstudio", contextWindow: 4096, trainedContextWindow: 32_768, models: ["qwen2.5-7b-instruct"] });
    expect((await get(s, "/api/v0/models")).json.data).toEqual([
      expect.objectContaining({ id: "qwen2.5-7b-instruct", object: "model", type: "llm", state: "loaded", max_context_length: 32_768, loaded_context_length: 4096 }),
    ]);
    expect(await get(s, "/props")).toMatchObject({ status: 404, json: { error: "Unexpected endpoint or method. (GET /props)" } });
  });

  it("refuses a prompt it cannot hold, naming the loaded context length", async () => {
    const s = await start({ flavour: "lmstudio", contextWindow: 30 });
    const messages = [{ role: "user", content: words(40) }];
    const res = await chat(s, { messages });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(typeof body.error).toBe("string");
    expect(body.error).toContain("context length of only 30 tokens");
    expect(body.error).toContain(`keep the first ${countOpenAIChatTokens(messages)} tokens`);
  });

  it("stops an answer that would overflow at the limit", async () => {
    const s = await start({ flavour: "lmstudio", contextWindow: HELLO_TOKENS + 2, handler: () => words(10) });
    const res = await chat(s, { max_tokens: 50 });
    const json = await res.json();
    expect(json.choices[0]).toMatchObject({ message: { content: words(2) }, finish_reason: "length" });
  });
});
