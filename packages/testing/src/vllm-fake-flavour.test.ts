import { afterEach, describe, expect, it } from "vitest";
import { countOpenAIChatTokens } from "./count-openai-chat-tokens.js";
import { fakeOpenAIServers } from "./fake-openai-servers.js";
import { HELLO_TOKENS, chat, get, getJson, streamed, words } from "./fake-server-requests.js";

const servers = fakeOpenAIServers();
afterEach(() => servers.closeAll());

describe("vllm flavour", () => {
  it("answers /version, an empty /health and max_model_len in /v1/models", async () => {
    const s = await servers.start({ flavour: "vllm", contextWindow: 8192, models: ["Qwen/Qwen2.5-7B-Instruct"] });
    expect((await get(s, "/version")).json).toEqual({ version: "0.11.0" });
    const health = await get(s, "/health");
    expect(health).toMatchObject({ status: 200, text: "" });
    const models = await getJson<{ data: unknown[] }>(s, "/v1/models");
    expect(models.data[0]).toMatchObject({
      id: "Qwen/Qwen2.5-7B-Instruct",
      object: "model",
      owned_by: "vllm",
      root: "Qwen/Qwen2.5-7B-Instruct",
      max_model_len: 8192,
    });
    expect(await get(s, "/props")).toMatchObject({ status: 404, json: { detail: "Not Found" } });
  });

  it("refuses a prompt that fills the window in vLLM's words", async () => {
    const s = await servers.start({ flavour: "vllm", contextWindow: 50 });
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
    const s = await servers.start({ flavour: "vllm", contextWindow: 100 });
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
    const s = await servers.start({ flavour: "vllm", contextWindow: HELLO_TOKENS + 5, handler: () => ({ text: words(20) }), tokensPerSecond: 100 });
    const started = Date.now();
    const out = await streamed(await chat(s, { stream: true, stream_options: { include_usage: true } }));
    expect(out.text).toBe(words(5));
    expect(out.finish).toBe("length");
    expect(out.usage).toMatchObject({ prompt_tokens: HELLO_TOKENS, completion_tokens: 5 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
  });
});
