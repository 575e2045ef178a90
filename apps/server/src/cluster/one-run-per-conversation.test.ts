import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ScriptedChatModel } from "@alma/llm";
import { createTestDatabase, type TestDatabase } from "@alma/store";
import { testConfig } from "../testing/test-config.js";
import { useTestRedis } from "../testing/use-test-redis.js";
import { useTestResources } from "../testing/use-test-resources.js";
import type { WsTestClient } from "../testing/ws-test-client.js";

const redis = useTestRedis();
const resources = useTestResources();
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});
let test = 0;
afterEach(() => {
  test++;
});

const convo = { taskType: "conversational" } as const;

/**
 * Sends into the conversation and expects it accepted: right after the last answer's end reached a viewer, on either
 * instance (its answer is stored as ended before its end goes out, so its lock no longer stands in the way).
 */
async function sendAccepted(c: WsTestClient, conversationId: string, clientMessageId: string) {
  c.send({ type: "message.send", conversationId, clientMessageId, content: "next", options: convo });
  const outcome = await Promise.race([
    c.waitFor("message.accepted", (f) => f.clientMessageId === clientMessageId),
    c.waitFor("error", (f) => f.clientMessageId === clientMessageId),
  ]);
  expect(outcome.type).toBe("message.accepted");
  return outcome as Extract<typeof outcome, { type: "message.accepted" }>;
}
const words = Array.from({ length: 200 }, (_, i) => ` w${i}`);
const model = new ScriptedChatModel({ reply: () => ({ tokens: words }), tokensPerSecond: 150 });

/** two alma servers on the file's PostgreSQL database and Redis (a prefix per test under the file's) */
async function twoInstances() {
  const serve = (side: string) =>
    resources.serve({
      config: testConfig({ ...redis.env, ALMA_REDIS_PREFIX: `${redis.prefix}${test}:`, ALMA_DATABASE_URL: db.url, ALMA_INSTANCE_ID: `one-${test}-${side}` }),
      model,
    });
  return [await serve("a"), await serve("b")] as const;
}

describe("one run per conversation across two instances on one Redis", () => {
  it("the same message that starts a new conversation, sent to both servers at once (a resend): one conversation, one run, the second told it is a duplicate", async () => {
    const [a, b] = await twoInstances();
    const ca = await a.connect();
    const cb = await b.connect();
    for (let round = 0; round < 5; round++) {
      const id = `first-${round}`;
      const frame = { type: "message.send", conversationId: null, clientMessageId: id, content: `a new question ${round}`, options: convo } as const;
      ca.send(frame);
      cb.send(frame);
      const [fa, fb] = await Promise.all([
        ca.waitFor("message.accepted", (f) => f.clientMessageId === id),
        cb.waitFor("message.accepted", (f) => f.clientMessageId === id),
      ]);
      expect(fa.conversationId).toBe(fb.conversationId);
      expect(fa.userMessageId).toBe(fb.userMessageId);
      expect([fa.duplicate, fb.duplicate].sort()).toEqual([false, true]);
      expect(fa.runId).toBe(fb.runId);
      await ca.waitForRunEnd(fa.runId!, 20_000);
    }
    const titled = (await a.app.alma.store.listConversations()).filter((c) => c.title.startsWith("a new question"));
    expect(titled).toHaveLength(5);
    expect(ca.of("error")).toEqual([]);
    expect(cb.of("error")).toEqual([]);
  }, 120_000);

  it("two sockets on two servers send into one conversation at once: one run, the other refused as on one server", async () => {
    const [a, b] = await twoInstances();
    const conversation = await a.app.alma.store.createConversation("shared");
    const ca = await a.connect();
    const cb = await b.connect();
    ca.send({ type: "message.send", conversationId: conversation.id, clientMessageId: "at-once-a", content: "from A", options: convo });
    cb.send({ type: "message.send", conversationId: conversation.id, clientMessageId: "at-once-b", content: "from B", options: convo });
    const outcome = (c: typeof ca, id: string) =>
      Promise.race([
        c.waitFor("message.accepted", (f) => f.clientMessageId === id).then((f) => ({ accepted: f })),
        c.waitFor("error", (f) => f.clientMessageId === id).then((f) => ({ refused: f })),
      ]);
    const results = await Promise.all([outcome(ca, "at-once-a"), outcome(cb, "at-once-b")]);
    const accepted = results.flatMap((r) => ("accepted" in r ? [r.accepted] : []));
    const refused = results.flatMap((r) => ("refused" in r ? [r.refused] : []));
    expect(accepted).toHaveLength(1);
    expect(refused).toHaveLength(1);
    // the refusal a second message in one conversation gets on one server
    expect(refused[0]).toMatchObject({
      code: "conflict",
      retryable: true,
      message: "An answer is still being written in this conversation. Stop it or wait for it to finish.",
    });
    const winner = accepted[0]!.clientMessageId === "at-once-a" ? ca : cb;
    await winner.waitForRunEnd(accepted[0]!.runId!, 30_000);
    // one question, one answer: the refused message was not stored
    const messages = await b.app.alma.store.listMessages(conversation.id);
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(messages[1]).toMatchObject({ status: "complete", content: words.join("") });

    // once it ended the conversation is free again, from the instance that was refused too
    const loser = winner === ca ? cb : ca;
    const next = await sendAccepted(loser, conversation.id, "after");
    await loser.waitForRunEnd(next.runId!, 30_000);
  }, 60_000);

  it("a message sent on B while A's answer in a new conversation is streaming is refused; Stop frees the conversation for B", async () => {
    const [a, b] = await twoInstances();
    const ca = await a.connect();
    ca.send({ type: "message.send", clientMessageId: "first", content: "long one", options: convo });
    const { runId, conversationId } = await ca.waitFor("message.accepted");
    await ca.waitFor("run.token", (t) => t.runId === runId && t.seq >= 3, 20_000);
    const cb = await b.connect();
    cb.send({ type: "message.send", conversationId, clientMessageId: "second", content: "me too", options: convo });
    expect(await cb.waitFor("error", (f) => f.clientMessageId === "second")).toMatchObject({ code: "conflict", retryable: true });
    cb.send({ type: "run.stop", runId: runId! });
    await ca.waitFor("run.completed", (f) => f.runId === runId && f.finishReason === "stopped", 10_000);
    await sendAccepted(cb, conversationId, "third");
  }, 60_000);
});
