import { afterEach, describe, expect, it } from "vitest";
import { countOpenAIChatTokens } from "./count-openai-chat-tokens.js";
import { fakeOpenAIServers } from "./fake-openai-servers.js";
import { HELLO_TOKENS, chat, get, getJson, streamed, words, type Message } from "./fake-server-requests.js";

/** Ollama's /api/ps: the loaded models */
interface OllamaPs {
  models: { name: string }[];
}

const servers = fakeOpenAIServers();
afterEach(() => servers.closeAll());

describe("ollama flavour", () => {
  it("says it is running, tells its version, and the trained context in /api/show", async () => {
    const s = await servers.start({ flavour: "ollama", models: ["qwen2.5:7b"], trainedContextWindow: 32_768 });
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
    const s = await servers.start({ flavour: "ollama", models: ["qwen2.5:7b"] });
    const res = await fetch(`${s.rootUrl}/api/show`, { method: "POST", body: JSON.stringify({ model: "llama3" }) });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "model 'llama3' not found" });
    expect(await get(s, "/props")).toMatchObject({ status: 404, text: "404 page not found" });
  });

  it("knows a bare model name as its :latest tag, and no model outside the list", async () => {
    const s = await servers.start({ flavour: "ollama", models: ["qwen2.5:latest"] });
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
    const s = await servers.start({ flavour: "ollama", ollamaNumCtx: 8192, ollamaPreloaded: true, models: ["qwen2.5:7b"] });
    expect(s.contextWindow).toBe(8192);
    const json = await (await fetch(`${s.rootUrl}/api/show`, { method: "POST", body: JSON.stringify({ model: "qwen2.5:7b" }) })).json();
    expect(json.parameters).toMatch(/^num_ctx\s+8192$/m);
    expect((await getJson<OllamaPs>(s, "/api/ps")).models[0]).toMatchObject({ name: "qwen2.5:7b", context_length: 8192 });
  });

  it("lists a model in /api/ps only once a chat request loaded it, under its tagged name", async () => {
    const s = await servers.start({ flavour: "ollama", contextWindow: 4096 });
    expect((await get(s, "/api/ps")).json).toEqual({ models: [] });
    await (await chat(s, { model: "qwen2.5" })).json();
    const loaded = (await getJson<OllamaPs>(s, "/api/ps")).models;
    expect(loaded).toHaveLength(1);
    expect(loaded[0]).toMatchObject({
      name: "qwen2.5:latest",
      model: "qwen2.5:latest",
      context_length: 4096,
      expires_at: expect.any(String),
      size: expect.any(Number),
    });
  });

  it("lists the models before any chat when preloaded", async () => {
    const s = await servers.start({ flavour: "ollama", ollamaPreloaded: true, models: ["llama3.2:3b"] });
    expect((await getJson<OllamaPs>(s, "/api/ps")).models.map((m) => m.name)).toEqual(["llama3.2:3b"]);
  });

  it("never refuses an over-long prompt: it drops the earliest non-system messages and answers 200", async () => {
    const system: Message = { role: "system", content: "Be brief." };
    const old1: Message = { role: "user", content: words(40) };
    const old2: Message = { role: "assistant", content: words(40) };
    const last: Message = { role: "user", content: "Hello" };
    const messages = [system, old1, old2, last];
    const kept = [system, last];
    const window = countOpenAIChatTokens([system, old2, last]) - 1;
    const s = await servers.start({ flavour: "ollama", contextWindow: window, handler: () => "ok" });
    const res = await chat(s, { messages, stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    const out = await streamed(res);
    expect(out.text).toBe("ok");
    expect(out.usage?.prompt_tokens).toBe(countOpenAIChatTokens(kept));
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
    const s = await servers.start({ flavour: "ollama", contextWindow: HELLO_TOKENS + 3, handler: () => words(10) });
    const out = await streamed(await chat(s, { stream: true }));
    expect(out).toMatchObject({ text: words(3), finish: "length" });
    expect(s.chatRequests()[0]).toMatchObject({ truncatedPrompt: false, droppedPromptTokens: 0, droppedMessages: 0 });
  });
});
