import { afterAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { ScriptedChatModel } from "@alma/llm";
import { buildApp } from "../build-app.js";
import { testConfig } from "../testing/test-config.js";
import { WsTestClient } from "../testing/ws-test-client.js";

const CHUNK = "x".repeat(8 * 1024);
const TOKENS = 2000; // 16 MB: far more than the socket buffers between the two ends hold

let app: FastifyInstance;
let client: WsTestClient | null = null;
afterAll(async () => {
  client?.terminate();
  await app?.close();
});

describe("a slow client", () => {
  it("never makes the server buffer without bound; the run finishes and is stored, the client is told to reload", async () => {
    app = await buildApp({
      config: testConfig({ ALMA_REPLAY_BUFFER_EVENTS: "64" }),
      model: new ScriptedChatModel({ reply: () => ({ tokens: Array.from({ length: TOKENS }, () => CHUNK) }) }),
    });
    const url = `${(await app.listen({ host: "127.0.0.1", port: 0 })).replace("http", "ws")}/ws`;
    client = await WsTestClient.connect(url);
    client.send({
      type: "message.send",
      clientMessageId: "slow",
      content: "flood me",
      options: { taskType: "conversational", maxOutputTokens: TOKENS + 10 },
    });
    const accepted = await client.waitFor("message.accepted");
    // the client stops reading
    const raw = (client.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    raw.pause();

    let maxBuffered = 0;
    const sampler = setInterval(() => {
      for (const c of app.alma.connections) maxBuffered = Math.max(maxBuffered, c.bufferedAmount);
    }, 2);
    await expect.poll(async () => (await app.alma.store.listMessages(accepted.conversationId)).at(-1)!.status, { timeout: 20_000 }).not.toBe("streaming");
    clearInterval(sampler);
    expect((await app.alma.store.listMessages(accepted.conversationId)).at(-1)!.status).toBe("complete");
    expect(maxBuffered).toBeLessThan(1024 * 1024 + 2 * CHUNK.length + 1024);
    expect((await app.alma.store.listMessages(accepted.conversationId)).at(-1)!.content.length).toBe(TOKENS * CHUNK.length);

    raw.resume();
    const err = await client.waitFor("error", (e) => e.code === "stream_interrupted", 10_000);
    expect(err.retryable).toBe(true);
    expect(err.runId).toBe(accepted.runId);
    const tokens = client.tokens(accepted.runId!);
    expect(tokens.map((t) => t.seq)).toEqual(tokens.map((_, i) => i));
    expect(tokens.length).toBeLessThan(TOKENS);
  }, 40_000);
});
