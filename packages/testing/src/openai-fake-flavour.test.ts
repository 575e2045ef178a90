import { afterEach, describe, expect, it } from "vitest";
import { fakeOpenAIServers } from "./fake-openai-servers.js";
import { HELLO_TOKENS, chat, get, getJson, words } from "./fake-server-requests.js";

const servers = fakeOpenAIServers();
afterEach(() => servers.closeAll());

describe("openai flavour", () => {
  it("tells its window only in the 400, lists model ids only, and knows no other server's endpoints", async () => {
    const s = await servers.start({ contextWindow: 100, models: ["gpt-4o-mini"] });
    expect(s.flavour).toBe("openai");
    const models = await getJson<{ data: unknown[] }>(s, "/v1/models");
    expect(models.data).toEqual([{ id: "gpt-4o-mini", object: "model", created: expect.any(Number), owned_by: "fake-openai" }]);
    for (const path of ["/props", "/version", "/api/version", "/api/v0/models", "/api/ps"]) {
      const probe = await get(s, path);
      expect(probe.status, path).toBe(404);
      expect(probe.json).toMatchObject({ error: { message: `Invalid URL (GET ${path})` } });
    }
    const over = await chat(s, { model: "gpt-4o-mini", max_tokens: 100 - HELLO_TOKENS + 1 });
    expect(over.status).toBe(400);
    expect((await over.json()).error.code).toBe("context_length_exceeded");
  });

  it("records prompt, max_tokens and the window on every chat request, refused ones included", async () => {
    const s = await servers.start({ contextWindow: 100 });
    await (await chat(s, { max_tokens: 100 - HELLO_TOKENS })).json();
    await (await chat(s, { max_tokens: 100 - HELLO_TOKENS + 1 })).json();
    const [fits, over] = s.chatRequests();
    expect(fits).toMatchObject({ promptTokens: HELLO_TOKENS, maxTokens: 100 - HELLO_TOKENS, contextWindow: 100, overWindow: false, status: 200 });
    expect(over).toMatchObject({ promptTokens: HELLO_TOKENS, maxTokens: 101 - HELLO_TOKENS, contextWindow: 100, overWindow: true, status: 400, chat: null });
    expect(s.overWindowRequests()).toEqual([over]);
  });

  it("enforces no window and records none when contextWindow is unset", async () => {
    const s = await servers.start({});
    expect(s.contextWindow).toBeNull();
    const res = await chat(s, { messages: [{ role: "user", content: words(3000) }], max_tokens: 1_000_000 });
    expect(res.status).toBe(200);
    await res.json();
    expect(s.chatRequests()[0]).toMatchObject({ contextWindow: null, overWindow: false, maxTokens: 1_000_000 });
  });
});
