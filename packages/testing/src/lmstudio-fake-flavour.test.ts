import { afterEach, describe, expect, it } from "vitest";
import { countOpenAIChatTokens } from "./count-openai-chat-tokens.js";
import { fakeOpenAIServers } from "./fake-openai-servers.js";
import { HELLO_TOKENS, chat, get, getJson, words } from "./fake-server-requests.js";

const servers = fakeOpenAIServers();
afterEach(() => servers.closeAll());

describe("lmstudio flavour", () => {
  it("tells the loaded and the maximum context length in /api/v0/models", async () => {
    const s = await servers.start({ flavour: "lmstudio", contextWindow: 4096, trainedContextWindow: 32_768, models: ["qwen2.5-7b-instruct"] });
    expect((await getJson<{ data: unknown[] }>(s, "/api/v0/models")).data).toEqual([
      expect.objectContaining({
        id: "qwen2.5-7b-instruct",
        object: "model",
        type: "llm",
        state: "loaded",
        max_context_length: 32_768,
        loaded_context_length: 4096,
      }),
    ]);
    expect(await get(s, "/props")).toMatchObject({ status: 404, json: { error: "Unexpected endpoint or method. (GET /props)" } });
  });

  it("refuses a prompt it cannot hold, naming the loaded context length", async () => {
    const s = await servers.start({ flavour: "lmstudio", contextWindow: 30 });
    const messages = [{ role: "user", content: words(40) }];
    const res = await chat(s, { messages });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(typeof body.error).toBe("string");
    expect(body.error).toContain("context length of only 30 tokens");
    expect(body.error).toContain(`keep the first ${countOpenAIChatTokens(messages)} tokens`);
  });

  it("stops an answer that would overflow at the limit", async () => {
    const s = await servers.start({ flavour: "lmstudio", contextWindow: HELLO_TOKENS + 2, handler: () => words(10) });
    const res = await chat(s, { max_tokens: 50 });
    const json = await res.json();
    expect(json.choices[0]).toMatchObject({ message: { content: words(2) }, finish_reason: "length" });
  });
});
