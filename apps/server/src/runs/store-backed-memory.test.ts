import { afterEach, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { ScriptedChatModel } from "@alma/llm";
import { SUMMARY_SYSTEM_PROMPT, type MessageCountCache, type TokenCounter } from "@alma/memory";
import { buildApp } from "../build-app.js";
import { testConfig } from "../testing/test-config.js";
import { WsTestClient } from "../testing/ws-test-client.js";
import type { StoreBackedMemory } from "./store-backed-memory.js";

let app: FastifyInstance | null = null;
let client: WsTestClient | null = null;
afterEach(async () => {
  client?.terminate();
  await app?.close();
});

const LONG_ANSWER = Array.from({ length: 120 }, (_, i) => `fact${i}`).join(" ");

describe("StoreBackedMemory through the server", () => {
  it("trims old turns to fit the window, then folds them into the stored summary used by the next run", async () => {
    const summaries: string[] = [];
    const model = new ScriptedChatModel({
      contextWindow: 1024,
      reply: (messages) => {
        if (messages[0]?.content === SUMMARY_SYSTEM_PROMPT) {
          summaries.push(messages[1]!.content);
          return "The user said their cat is called Miso.";
        }
        return LONG_ANSWER;
      },
    });
    app = await buildApp({ config: testConfig({ ALMA_MAX_OUTPUT_TOKENS: "200" }), model });
    const url = `${(await app.listen({ host: "127.0.0.1", port: 0 })).replace("http", "ws")}/ws`;
    client = await WsTestClient.connect(url);

    let conversationId: string | null = null;
    for (let i = 0; i < 6; i++) {
      const mark = client.frames.length;
      client.send({
        type: "message.send",
        clientMessageId: `m${i}`,
        conversationId,
        content: i === 0 ? "My cat is called Miso." : `Tell me more, part ${i}.`,
        options: { taskType: "conversational" },
      });
      const accepted = await client.waitFor("message.accepted", () => true, 5000, mark);
      conversationId = accepted.conversationId;
      await client.waitFor("run.completed", (f) => f.runId === accepted.runId, 10_000);
    }
    const memory = app.alma.memory as StoreBackedMemory;
    await memory.idle();
    const conversation = (await app.alma.store.getConversation(conversationId!))!;
    expect(conversation.summary).toBe("The user said their cat is called Miso.");
    expect(conversation.summarizedCount).toBeGreaterThan(0);
    expect(summaries[0]).toContain("My cat is called Miso.");

    const mark = client.frames.length;
    client.send({ type: "message.send", clientMessageId: "last", conversationId, content: "What is my cat called?", options: { taskType: "conversational" } });
    const last = await client.waitFor("message.accepted", () => true, 5000, mark);
    const done = await client.waitFor("run.completed", (f) => f.runId === last.runId, 10_000);
    expect(done.metrics.context).toMatchObject({ hasSummary: true, contextWindow: 1024 });
    expect(done.metrics.context!.messagesSummarized).toBe(conversation.summarizedCount);
    expect(done.metrics.context!.promptTokens).toBeLessThanOrEqual(done.metrics.context!.promptBudget);
  });

  it("counts each stored message once: later runs find the earlier messages in the count cache", async () => {
    app = await buildApp({ config: testConfig(), model: new ScriptedChatModel({ reply: LONG_ANSWER }) });
    const url = `${(await app.listen({ host: "127.0.0.1", port: 0 })).replace("http", "ws")}/ws`;
    client = await WsTestClient.connect(url);
    const { cache, counter } = app.alma.memory as unknown as { cache: MessageCountCache; counter: TokenCounter };
    let conversationId: string | null = null;
    const missesPerRun: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = cache.stats().misses;
      const mark = client.frames.length;
      // long enough that, without a key, each run would hash it again
      client.send({
        type: "message.send",
        clientMessageId: `k${i}`,
        conversationId,
        content: `Question ${i}: ${LONG_ANSWER}`,
        options: { taskType: "conversational" },
      });
      const accepted = await client.waitFor("message.accepted", () => true, 5000, mark);
      conversationId = accepted.conversationId;
      await client.waitFor("run.completed", (f) => f.runId === accepted.runId, 10_000);
      missesPerRun.push(cache.stats().misses - before);
    }
    // from the second run on: the new question and the previous answer are new, nothing else is counted again
    expect(missesPerRun.slice(1).every((n) => n === missesPerRun[1])).toBe(true);
    expect(missesPerRun[1]).toBeLessThanOrEqual(3);
    expect(cache.stats().hits).toBeGreaterThan(0);
    // stored messages are cached under their id, status and length (no content hashing per run)
    const first = (await app.alma.store.listMessages(conversationId!))[0]!;
    const { hits, misses } = cache.stats();
    cache.count(counter, { role: "user", content: first.content, countKey: `${first.id}:complete:${first.content.length}` });
    expect(cache.stats()).toMatchObject({ hits: hits + 1, misses });
  });
});
