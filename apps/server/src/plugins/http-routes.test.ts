import { afterEach, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { ScriptedChatModel } from "@alma/llm";
import { SqliteConversationStore } from "@alma/store";
import { buildApp } from "../build-app.js";
import { testConfig } from "../testing/test-config.js";

let app: FastifyInstance | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

describe("HTTP routes", () => {
  it("GET /health reports liveness and the model's status", async () => {
    app = await buildApp({ config: testConfig(), model: new ScriptedChatModel() });
    const res = await app.inject({ method: "GET", url: "/health" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: "ok", modelReady: true, model: { provider: "scripted", state: "ready" } });
  });

  it("GET /metrics serves Prometheus text with alma's series", async () => {
    app = await buildApp({ config: testConfig(), model: new ScriptedChatModel() });
    const res = await app.inject({ method: "GET", url: "/metrics" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/plain");
    for (const name of [
      'alma_runs_total{outcome="completed"} 0',
      "alma_time_to_first_token_seconds_bucket",
      "alma_run_duration_seconds_bucket",
      "alma_active_runs 0",
      "alma_websocket_connections 0",
      "alma_nodejs_eventloop_lag_seconds",
      "alma_process_resident_memory_bytes",
    ]) {
      expect(res.body).toContain(name);
    }
  });

  it("GET /api/conversations lists, searches and returns one with messages and pinned facts", async () => {
    app = await buildApp({ config: testConfig(), model: new ScriptedChatModel() });
    const { store } = app.alma;
    const c = await store.createConversation("");
    await store.addUserMessage({ conversationId: c.id, clientMessageId: "m1", content: "What is a monad?" });
    await store.pinFact({ conversationId: c.id, text: "likes Haskell", messageId: null });

    const list = await app.inject({ method: "GET", url: "/api/conversations" });
    expect(list.json().conversations).toMatchObject([{ id: c.id, title: "What is a monad?" }]);
    expect((await app.inject({ method: "GET", url: "/api/conversations?q=monad" })).json().conversations).toHaveLength(1);
    expect((await app.inject({ method: "GET", url: "/api/conversations?q=zebra" })).json().conversations).toHaveLength(0);

    const one = await app.inject({ method: "GET", url: `/api/conversations/${c.id}` });
    expect(one.json()).toMatchObject({
      conversation: { id: c.id },
      messages: [{ role: "user", content: "What is a monad?" }],
      pinnedFacts: [{ text: "likes Haskell" }],
      activeRun: null,
    });
    expect((await app.inject({ method: "GET", url: "/api/conversations/unknown-id" })).statusCode).toBe(404);
    expect((await app.inject({ method: "GET", url: "/api/conversations/bad%20id" })).statusCode).toBe(400);
    expect((await app.inject({ method: "GET", url: "/api/conversations?bogus=1" })).statusCode).toBe(400);
  });

  it("validates route input by its schemas: a bad id or query gets a 400 that says what was wrong and what to do", async () => {
    app = await buildApp({ config: testConfig(), model: new ScriptedChatModel() });
    const badId = await app.inject({ method: "GET", url: "/api/conversations/bad%20id" });
    expect(badId.statusCode).toBe(400);
    expect(badId.json()).toEqual({
      error: "invalid_id",
      message: "Invalid URL: id: ids use letters, digits, _ and -. Correct the URL and send the request again.",
    });

    const unknown = await app.inject({ method: "GET", url: "/api/conversations?bogus=1" });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toEqual({
      error: "invalid_query",
      message: 'Invalid query string: Unrecognized key: "bogus" (accepted: q). Correct the query string and send the request again.',
    });

    const long = await app.inject({ method: "GET", url: `/api/conversations?q=${"x".repeat(501)}` });
    expect(long.json()).toEqual({
      error: "invalid_query",
      message: "Invalid query string: q: the search text is at most 500 characters. Correct the query string and send the request again.",
    });

    const twice = await app.inject({ method: "GET", url: "/api/conversations?q=a&q=b" });
    expect(twice.statusCode).toBe(400);
    expect(twice.json().message).toMatch(/^Invalid query string: q: /);
  });

  it("checks the access token before the input: a bad request without the token is a 401", async () => {
    app = await buildApp({ config: testConfig({ ALMA_AUTH_TOKEN: "s3cret-token-0123456789" }), model: new ScriptedChatModel() });
    expect((await app.inject({ method: "GET", url: "/api/conversations/bad%20id" })).json()).toMatchObject({ error: "unauthorized" });
  });

  it("requires the access token on the API when one is set, never on /health", async () => {
    const token = "s3cret-token-0123456789";
    app = await buildApp({ config: testConfig({ ALMA_AUTH_TOKEN: token }), model: new ScriptedChatModel() });
    expect((await app.inject({ method: "GET", url: "/api/conversations" })).statusCode).toBe(401);
    expect((await app.inject({ method: "GET", url: "/api/conversations", headers: { authorization: "Bearer wrong" } })).statusCode).toBe(401);
    const ok = await app.inject({ method: "GET", url: "/api/conversations", headers: { authorization: `Bearer ${token}` } });
    expect(ok.statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: "/health" })).statusCode).toBe(200);
  });

  it("answers CORS preflights for allowed origins only", async () => {
    app = await buildApp({ config: testConfig(), model: new ScriptedChatModel() });
    const ok = await app.inject({
      method: "OPTIONS",
      url: "/api/conversations",
      headers: { origin: "http://localhost:3000", "access-control-request-method": "GET" },
    });
    expect(ok.headers["access-control-allow-origin"]).toBe("http://localhost:3000");
    const bad = await app.inject({
      method: "OPTIONS",
      url: "/api/conversations",
      headers: { origin: "https://evil.example", "access-control-request-method": "GET" },
    });
    expect(bad.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("rate-limits the API per client", async () => {
    app = await buildApp({ config: testConfig({ ALMA_HTTP_REQUESTS_PER_MINUTE: "2" }), model: new ScriptedChatModel() });
    expect((await app.inject({ method: "GET", url: "/api/conversations" })).statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: "/api/conversations" })).statusCode).toBe(200);
    const limited = await app.inject({ method: "GET", url: "/api/conversations" });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers["retry-after"]).toBeDefined();
  });

  it("at start, removes a conversation made for uploads that got nothing in an hour; a fresh one and one with a message stay", async () => {
    let t = 1_000_000;
    const store = new SqliteConversationStore({ path: ":memory:", now: () => t });
    const left = await store.createConversation("");
    const used = await store.createConversation("");
    await store.addUserMessage({ conversationId: used.id, clientMessageId: "m", content: "hello" });
    t += 61 * 60_000;
    const fresh = await store.createConversation("");
    app = await buildApp({ config: testConfig(), model: new ScriptedChatModel(), store, now: () => t });
    const ids = (await app.inject({ method: "GET", url: "/api/conversations" }))
      .json<{ conversations: Array<{ id: string }> }>()
      .conversations.map((c) => c.id);
    expect(ids).not.toContain(left.id);
    expect(ids).toEqual(expect.arrayContaining([used.id, fresh.id]));
  });
});
