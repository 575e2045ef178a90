import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { OpenAIChatModel, ScriptedChatModel, type ChatModel } from "@alma/llm";
import { createTestDatabase, type TestDatabase } from "@alma/store";
import { startFakeOpenAI, type FakeOpenAIServer } from "@alma/testing";
import { buildApp } from "../build-app.js";
import { testConfig } from "../testing/test-config.js";
import { useTestRedis } from "../testing/use-test-redis.js";
import { WsTestClient } from "../testing/ws-test-client.js";

const redis = useTestRedis();
let db: TestDatabase;
let fake: FakeOpenAIServer | null = null;
const apps: FastifyInstance[] = [];
const sockets: WsTestClient[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  for (const a of apps.splice(0)) await a.close();
  await fake?.close();
  fake = null;
});
afterAll(async () => {
  await db?.drop();
});

const convo = { taskType: "conversational" } as const;
const words = Array.from({ length: 240 }, (_, i) => ` w${i}`);
const slowModel = () => new ScriptedChatModel({ reply: () => ({ tokens: words }), tokensPerSecond: 120 });

/** one alma server on the file's PostgreSQL database and Redis prefix, listening on 127.0.0.1 */
async function instance(name: string, model: ChatModel, env: Record<string, string> = {}) {
  const config = testConfig({ ...redis.env, ALMA_DATABASE_URL: db.url, ALMA_INSTANCE_ID: name, ALMA_FLUSH_INTERVAL_MS: "5000", ...env });
  const app = await buildApp({ config, model });
  apps.push(app);
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  const connect = async () => {
    const c = await WsTestClient.connect(`${url.replace("http", "ws")}/ws`);
    sockets.push(c);
    return c;
  };
  return { app, url, connect };
}

/** the frames of one run a socket got, by index: each index once, none missing from `from` on */
function indexesOf(c: WsTestClient, runId: string): number[] {
  return c.frames.flatMap((f) => ("runId" in f && f.runId === runId && "index" in f && typeof f.index === "number" ? [f.index] : []));
}

function textAfter(c: WsTestClient, runId: string, afterIndex: number): string {
  return c
    .of("run.token")
    .filter((t) => t.runId === runId && t.index > afterIndex && t.stepId === null)
    .map((t) => t.text)
    .join("");
}

describe("two alma servers on one PostgreSQL database and one Redis", () => {
  it("a viewer on B joins A's answer mid-way (history, then resume) and gets every token once, at every join point", async () => {
    const a = await instance("join-a", slowModel());
    const b = await instance("join-b", slowModel());
    const health = (await (await fetch(`${b.url}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: "ok", database: { kind: "postgres", ok: true }, redis: { ok: true } });

    const writer = await a.connect();
    writer.send({ type: "message.send", clientMessageId: "join-1", content: "count for me", options: convo });
    const { runId, conversationId } = await writer.waitFor("message.accepted");
    await writer.waitFor("run.token", (t) => t.runId === runId, 20_000);
    // scripts see the same through HTTP on either instance: the run A writes, where to resume it
    const rest = async (url: string) =>
      (await (await fetch(`${url}/api/conversations/${conversationId}`)).json()) as { activeRun: { runId: string; lastIndex: number } | null };
    for (const url of [a.url, b.url]) {
      const { activeRun } = await rest(url);
      expect(activeRun?.runId).toBe(runId);
      expect(activeRun!.lastIndex).toBeGreaterThan(0);
    }
    const joins: Array<Promise<{ text: string; lastIndex: number; indexes: number[] }>> = [];
    for (const seq of [2, 50, 120, 200]) {
      await writer.waitFor("run.token", (t) => t.runId === runId && t.seq >= seq, 20_000);
      joins.push(
        (async () => {
          const v = await b.connect();
          v.send({ type: "conversation.history", requestId: "h", conversationId });
          const h = await v.waitFor("conversation.history.result", (f) => f.requestId === "h");
          expect(h.activeRun?.runId).toBe(runId);
          const { lastIndex, state } = h.activeRun!;
          expect(h.messages.at(-1)!.content).toBe(state.text);
          v.send({ type: "run.resume", runId: runId!, afterIndex: lastIndex });
          await v.waitForRunEnd(runId!, 30_000);
          return { text: state.text + textAfter(v, runId!, lastIndex), lastIndex, indexes: indexesOf(v, runId!) };
        })(),
      );
    }
    const end = await writer.waitForRunEnd(runId!, 30_000);
    expect(end.type).toBe("run.completed");
    expect((await rest(b.url)).activeRun).toBeNull();
    const stored = (await b.app.alma.store.listMessages(conversationId)).at(-1)!;
    expect(stored.content).toBe(words.join(""));
    const seen = await Promise.all(joins);
    for (const s of seen) {
      expect(s.text).toBe(stored.content);
      // every event after the join point, once, in order
      const last = s.indexes.at(-1)!;
      expect(s.indexes).toEqual(Array.from({ length: last - s.lastIndex }, (_, i) => s.lastIndex + 1 + i));
    }
    expect(new Set(seen.map((s) => s.lastIndex)).size).toBe(seen.length);
    // the owner's own viewer got the same events as one in-process
    expect(
      writer
        .tokens(runId!)
        .map((t) => t.text)
        .join(""),
    ).toBe(stored.content);
  }, 90_000);

  it("a viewer whose socket to A dropped resumes on B from the last event it has, and misses nothing", async () => {
    const a = await instance("drop-a", slowModel());
    const b = await instance("drop-b", slowModel());
    const first = await a.connect();
    first.send({ type: "message.send", clientMessageId: "drop-1", content: "count again", options: convo });
    const { runId, conversationId } = await first.waitFor("message.accepted");
    await first.waitFor("run.token", (t) => t.runId === runId && t.seq >= 30, 20_000);
    first.terminate();
    const had = indexesOf(first, runId!);
    const lastIndex = had.at(-1)!;
    const again = await b.connect();
    again.send({ type: "run.resume", runId: runId!, afterIndex: lastIndex });
    await again.waitForRunEnd(runId!, 30_000);
    const resumed = indexesOf(again, runId!);
    expect(resumed[0]).toBe(lastIndex + 1);
    expect([...had, ...resumed]).toEqual(Array.from({ length: had.length + resumed.length }, (_, i) => i));
    const text =
      first
        .tokens(runId!)
        .map((t) => t.text)
        .join("") +
      again
        .tokens(runId!)
        .map((t) => t.text)
        .join("");
    expect(text).toBe((await a.app.alma.store.listMessages(conversationId)).at(-1)!.content);
    expect(text).toBe(words.join(""));
  }, 90_000);

  it("Stop sent to B reaches A, which closes its upstream request (seen by the fake upstream)", async () => {
    fake = await startFakeOpenAI({ handler: () => ({ tokens: Array.from({ length: 600 }, (_, i) => ` t${i}`), tokensPerSecond: 80 }) });
    const upstream = () => new OpenAIChatModel({ baseURL: fake!.url, apiKey: "sk-test", model: "gpt-4o-mini" });
    const env = { ALMA_PROVIDER: "openai", OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: "sk-test" };
    const a = await instance("stop-a", upstream(), env);
    const b = await instance("stop-b", upstream(), env);
    const writer = await a.connect();
    writer.send({ type: "message.send", clientMessageId: "stop-1", content: "long please", options: convo });
    const { runId, conversationId } = await writer.waitFor("message.accepted");
    await writer.waitFor("run.token", (t) => t.runId === runId && t.seq >= 3, 20_000);
    const request = fake.chatRequests().at(-1)!;
    expect(request.endedAt).toBeNull();

    const other = await b.connect();
    other.send({ type: "run.stop", runId: runId! });
    const aborted = await fake.waitForAbort(request.index, 10_000);
    expect(aborted.clientAborted).toBe(true);
    expect(aborted.tokensSent).toBeLessThan(600);
    await writer.waitFor("run.completed", (f) => f.runId === runId && f.finishReason === "stopped", 10_000);
    expect((await b.app.alma.store.listMessages(conversationId)).at(-1)!.status).toBe("stopped");
    // B refused nothing: no error frame answered the stop
    expect(other.of("error")).toEqual([]);
    // a stop for a run that ended is told as such, from either instance
    other.send({ type: "run.stop", runId: runId! });
    expect((await other.waitFor("error", (f) => f.frameType === "run.stop")).code).toBe("not_found");
  }, 60_000);

  it("a message sent in a conversation open on A reaches its follower on B, with its answer live; renames reach every tab once", async () => {
    const a = await instance("chg-a", slowModel());
    const b = await instance("chg-b", slowModel());
    const conversation = await a.app.alma.store.createConversation("shared");
    const writer = await a.connect();
    const follower = await b.connect();
    const listener = await b.connect();
    const sameSide = await a.connect();
    for (const [c, id] of [
      [writer, "w"],
      [follower, "f"],
    ] as const) {
      c.send({ type: "conversation.history", requestId: id, conversationId: conversation.id });
      await c.waitFor("conversation.history.result", (f) => f.requestId === id);
    }
    writer.send({ type: "message.send", conversationId: conversation.id, clientMessageId: "chg-1", content: "hello from A", options: convo });
    const { runId, userMessageId } = await writer.waitFor("message.accepted");
    const added = await follower.waitFor("message.added", (f) => f.conversationId === conversation.id, 10_000);
    expect(added.message).toMatchObject({ id: userMessageId, content: "hello from A", role: "user" });
    // both ends, not just one: B reads the run from Redis and may see its last frame before A's own socket does
    await Promise.all([follower.waitForRunEnd(runId!, 30_000), writer.waitForRunEnd(runId!, 30_000)]);
    expect(
      follower
        .tokens(runId!)
        .map((t) => t.text)
        .join(""),
    ).toBe(words.join(""));
    expect(indexesOf(follower, runId!)).toEqual(indexesOf(writer, runId!));
    // the sender itself is not told of its own message
    expect(writer.of("message.added")).toEqual([]);

    writer.send({ type: "conversation.rename", requestId: "r1", conversationId: conversation.id, title: "Renamed on A" });
    await listener.waitFor("conversation.updated", (f) => f.conversation.title === "Renamed on A", 10_000);
    await sameSide.waitFor("conversation.updated", (f) => f.conversation.title === "Renamed on A", 10_000);
    // pins on B reach A's tab of the conversation
    follower.send({ type: "memory.pin", requestId: "p1", conversationId: conversation.id, text: "Call me Ada." });
    await follower.waitFor("memory.updated", (f) => f.requestId === "p1");
    const pinned = await writer.waitFor("memory.updated", (f) => f.conversationId === conversation.id, 10_000);
    expect(pinned.pinnedFacts.map((p) => p.text)).toEqual(["Call me Ada."]);
    // a delete on B is seen by A's tabs
    follower.send({ type: "conversation.delete", requestId: "d1", conversationId: conversation.id });
    await sameSide.waitFor("conversation.deleted", (f) => f.conversationId === conversation.id, 10_000);
    // no echo: each tab got each change once
    for (const c of [writer, listener, sameSide]) expect(c.of("conversation.updated").filter((f) => f.conversation.title === "Renamed on A")).toHaveLength(1);
    expect(sameSide.of("conversation.deleted")).toHaveLength(1);
    expect(writer.of("memory.updated")).toHaveLength(1);
  }, 60_000);

  it("an answer given on A is answered from the shared cache on B (the same question in a new conversation)", async () => {
    const a = await instance("cache-a", new ScriptedChatModel({ reply: "Paris is the capital of France.", tokensPerSecond: 0 }));
    const b = await instance("cache-b", new ScriptedChatModel({ reply: "B's own model would say this.", tokensPerSecond: 0 }));
    const ask = async (c: WsTestClient, id: string) => {
      c.send({ type: "message.send", clientMessageId: id, content: "What is the capital of France?", options: convo });
      const { runId } = await c.waitFor("message.accepted", (f) => f.clientMessageId === id);
      const done = await c.waitFor("run.completed", (f) => f.runId === runId, 20_000);
      return {
        done,
        text: c
          .tokens(runId!)
          .map((t) => t.text)
          .join(""),
      };
    };
    const first = await ask(await a.connect(), "cache-1");
    expect(first).toMatchObject({ done: { cacheHit: false }, text: "Paris is the capital of France." });
    const second = await ask(await b.connect(), "cache-2");
    expect(second).toMatchObject({ done: { cacheHit: true }, text: "Paris is the capital of France." });
  }, 60_000);

  it("the message rate per address is counted once across the instances", async () => {
    // a prefix of its own (under the file's): the other tests' messages came from the same address
    const env = { ALMA_MESSAGES_PER_MINUTE: "2", ALMA_REDIS_PREFIX: `${redis.prefix}rate:` };
    const a = await instance("rate-a", new ScriptedChatModel({ reply: "ok", tokensPerSecond: 0 }), env);
    const b = await instance("rate-b", new ScriptedChatModel({ reply: "ok", tokensPerSecond: 0 }), env);
    const ca = await a.connect();
    const cb = await b.connect();
    for (const [c, id] of [
      [ca, "rate-1"],
      [cb, "rate-2"],
    ] as const) {
      c.send({ type: "message.send", clientMessageId: id, content: "hi", options: convo });
      const { runId } = await c.waitFor("message.accepted", (f) => f.clientMessageId === id);
      await c.waitForRunEnd(runId!);
    }
    ca.send({ type: "message.send", clientMessageId: "rate-3", content: "hi", options: convo });
    const refused = await ca.waitFor("error", (f) => f.clientMessageId === "rate-3");
    expect(refused).toMatchObject({ code: "rate_limited", retryable: true });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
  }, 60_000);
});
