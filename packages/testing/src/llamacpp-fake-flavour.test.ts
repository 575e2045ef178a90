import { afterEach, describe, expect, it } from "vitest";
import { countOpenAIChatTokens } from "./count-openai-chat-tokens.js";
import { fakeOpenAIServers } from "./fake-openai-servers.js";
import { HELLO_TOKENS, chat, get, getJson, streamed, words } from "./fake-server-requests.js";

/** the parts of llama-server's /props the tests read */
interface LlamaProps {
  default_generation_settings: { n_ctx: number };
  total_slots: number;
  model_path: string;
  build_info: string;
}

const servers = fakeOpenAIServers();
afterEach(() => servers.closeAll());

describe("llamacpp flavour", () => {
  it("tells the per-slot n_ctx in /props and /v1/props, and a larger training context in /v1/models", async () => {
    const s = await servers.start({ flavour: "llamacpp", contextWindow: 4096, slots: 2, trainedContextWindow: 32_768 });
    expect(await get(s, "/health")).toMatchObject({ status: 200, json: { status: "ok" } });
    for (const path of ["/props", "/v1/props"]) {
      const props = await getJson<LlamaProps>(s, path);
      expect(props.default_generation_settings.n_ctx, path).toBe(4096);
      expect(props.total_slots).toBe(2);
      expect(props.model_path).toEqual(expect.any(String));
      expect(props.build_info).toEqual(expect.any(String));
    }
    const slots = await getJson<{ n_ctx: number }[]>(s, "/slots");
    expect(slots.map((slot) => slot.n_ctx)).toEqual([4096, 4096]);
    const models = await getJson<{ data: { meta: unknown; max_model_len?: number }[] }>(s, "/v1/models");
    expect(models.data[0]!.meta).toMatchObject({ n_ctx_train: 32_768, n_vocab: expect.any(Number) });
    expect(models.data[0]!.max_model_len).toBeUndefined();
    expect(await get(s, "/version")).toMatchObject({ status: 404, json: { error: { code: 404, type: "not_found_error" } } });
  });

  it("defaults to one slot", async () => {
    const s = await servers.start({ flavour: "llamacpp" });
    const props = await getJson<LlamaProps>(s, "/props");
    expect(props.total_slots).toBe(1);
    expect(props.default_generation_settings.n_ctx).toBe(s.contextWindow);
  });

  it("refuses a prompt that fills the slot with exceed_context_size_error", async () => {
    const s = await servers.start({ flavour: "llamacpp", contextWindow: 40 });
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
    const s = await servers.start({ flavour: "llamacpp", contextWindow: HELLO_TOKENS + 4, handler: () => words(30) });
    const res = await chat(s, { stream: true, max_tokens: 100 });
    expect(res.status).toBe(200);
    const out = await streamed(res);
    expect(out).toMatchObject({ text: words(4), finish: "length" });
    expect(s.chatRequests()[0]).toMatchObject({ overWindow: true, truncatedPrompt: false, status: 200 });
  });
});
