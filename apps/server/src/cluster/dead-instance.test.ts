import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { ScriptedChatModel } from "@alma/llm";
import { RedisLiveRuns } from "@alma/live-runs";
import { createTestDatabase, type TestDatabase } from "@alma/store";
import { buildApp } from "../build-app.js";
import { spawnServer, type SpawnedServer } from "../testing/spawn-server.js";
import { testConfig } from "../testing/test-config.js";
import { useTestRedis } from "../testing/use-test-redis.js";
import { WsTestClient } from "../testing/ws-test-client.js";
import { freePort } from "../testing/free-port.js";

const SERVER_DIR = fileURLToPath(new URL("../..", import.meta.url));
const WAIT_MS = 60_000;
const redis = useTestRedis();
const dir = mkdtempSync(join(tmpdir(), "alma-dead-"));
let db: TestDatabase;
const servers: SpawnedServer[] = [];
const apps: FastifyInstance[] = [];
const sockets: WsTestClient[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const s of sockets) s.terminate();
  for (const a of apps) await a.close();
  for (const s of servers) s.child.kill("SIGKILL");
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const connect = async (url: string) => {
  const c = await WsTestClient.connect(`${url.replace("http", "ws")}/ws`);
  sockets.push(c);
  return c;
};

describe("an instance that dies mid-answer (kill -9), with a survivor on the same PostgreSQL and Redis", () => {
  it("the survivor marks the answer interrupted with its partial text, tells its viewers, and Continue on it finishes the answer", async () => {
    const shared = { ...redis.env, ALMA_DATABASE_URL: db.url, ALMA_INSTANCE_TTL_MS: "1500" };
    // A: a real process, writing its answer slowly (about 30 tokens a second)
    const a = await spawnServer({ ...shared, ALMA_PROVIDER: "scripted", ALMA_SCRIPTED_TPS: "30", ALMA_INSTANCE_ID: "dead-a", ALMA_DB_PATH: join(dir, "a.db") });
    servers.push(a);
    const writer = await connect(a.url);
    const question = Array.from({ length: 90 }, (_, i) => `w${i}`).join(" ");
    writer.send({ type: "message.send", clientMessageId: "dead-1", content: question, options: { taskType: "conversational" } });
    const { runId, conversationId } = await writer.waitFor("message.accepted", () => true, WAIT_MS);
    await writer.waitFor("run.token", (t) => t.runId === runId && t.seq >= 5, WAIT_MS);

    // B starts while A's answer is being written: it must leave that answer alone
    const b = await buildApp({
      config: testConfig({ ...shared, ALMA_INSTANCE_ID: "dead-b" }),
      model: new ScriptedChatModel({ reply: " and that is the rest.", tokensPerSecond: 0 }),
    });
    apps.push(b);
    const bUrl = await b.listen({ host: "127.0.0.1", port: 0 });
    expect((await b.alma.store.listMessages(conversationId)).at(-1)!.status).toBe("streaming");

    // a viewer on B follows A's answer through Redis
    const viewer = await connect(bUrl);
    viewer.send({ type: "conversation.history", requestId: "h", conversationId });
    const history = await viewer.waitFor("conversation.history.result", (f) => f.requestId === "h");
    expect(history.activeRun?.runId).toBe(runId);
    viewer.send({ type: "run.resume", runId: runId!, afterIndex: history.activeRun!.lastIndex });
    await viewer.waitFor("run.token", (t) => t.runId === runId && t.seq >= 15, WAIT_MS);

    a.child.kill("SIGKILL");
    expect((await a.exited).signal).toBe("SIGKILL");
    const told = await viewer.waitFor("run.error", (f) => f.runId === runId, WAIT_MS);
    expect(told).toMatchObject({ code: "shutting_down", retryable: true, partial: true });
    const seen =
      history.activeRun!.state.text +
      viewer
        .tokens(runId!)
        .filter((t) => t.index > history.activeRun!.lastIndex)
        .map((t) => t.text)
        .join("");
    const stored = (await b.alma.store.listMessages(conversationId)).at(-1)!;
    expect(stored).toMatchObject({ role: "assistant", status: "interrupted", finishReason: "interrupted" });
    expect(stored.content).toBe(seen);
    expect(stored.content.startsWith("You said: w0")).toBe(true);
    expect(stored.content.length).toBeLessThan(`You said: ${question}`.length);

    // Continue on B, from what was kept
    viewer.send({ type: "run.continue", conversationId, messageId: stored.id });
    const started = await viewer.waitFor("run.started", (f) => f.runId !== runId, WAIT_MS);
    const done = await viewer.waitFor("run.completed", (f) => f.runId === started.runId, WAIT_MS);
    expect(done.finishReason).toBe("stop");
    const finished = (await b.alma.store.listMessages(conversationId)).at(-1)!;
    expect(finished.id).toBe(stored.id);
    expect(finished.status).toBe("complete");
    expect(finished.content).toBe(`${stored.content} and that is the rest.`);
  }, 300_000);

  it("an instance that dies after claiming a run but before its first event: the survivor finds the answer through the claim and marks it interrupted", async () => {
    const shared = { ...redis.env, ALMA_DATABASE_URL: db.url, ALMA_INSTANCE_TTL_MS: "1000" };
    const b = await buildApp({
      config: testConfig({ ...shared, ALMA_INSTANCE_ID: "early-b" }),
      model: new ScriptedChatModel({ reply: "The whole answer.", tokensPerSecond: 0 }),
    });
    apps.push(b);
    const bUrl = await b.listen({ host: "127.0.0.1", port: 0 });
    // what a dying instance leaves: its claim in Redis, the user message and the streaming answer in the store, no event
    const doomed = await RedisLiveRuns.start({
      url: redis.url,
      prefix: redis.prefix,
      instanceId: "early-a",
      heartbeatTtlMs: 600,
      heartbeatIntervalMs: 150,
      onStop: () => {},
    });
    const store = b.alma.store;
    const conversation = await store.createConversation("early");
    const { message: user } = await store.addUserMessage({ conversationId: conversation.id, content: "hello?", clientMessageId: "early-1" });
    const runId = randomUUID();
    await doomed.claim(runId, conversation.id);
    const answer = await store.addAssistantMessage({ conversationId: conversation.id, runId, taskType: null });
    // kill -9: no more heartbeats, nothing cleaned up
    doomed.redis.disconnect();

    const deadline = Date.now() + WAIT_MS;
    while ((await store.getMessage(answer.id))!.status === "streaming" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const marked = (await store.getMessage(answer.id))!;
    expect(marked).toMatchObject({ status: "interrupted", finishReason: "interrupted", content: "", error: { code: "shutting_down" } });
    // the conversation is free: Continue on the survivor answers it
    const viewer = await connect(bUrl);
    viewer.send({ type: "run.continue", conversationId: conversation.id, messageId: answer.id });
    const started = await viewer.waitFor("run.started", (f) => f.runId !== runId, WAIT_MS);
    await viewer.waitFor("run.completed", (f) => f.runId === started.runId, WAIT_MS);
    const finished = (await store.listMessages(conversation.id)).at(-1)!;
    expect(finished).toMatchObject({ id: answer.id, status: "complete", content: "The whole answer." });
    expect((await store.listMessages(conversation.id)).map((m) => m.id)).toEqual([user.id, answer.id]);
    void doomed.close().catch(() => {});
  }, 120_000);

  it("refuses to start when Redis cannot be reached, saying where and how to fix it (exit 69)", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: SERVER_DIR,
      env: {
        PATH: process.env.PATH ?? "",
        HOST: "127.0.0.1",
        PORT: "0",
        ALMA_PROVIDER: "scripted",
        ALMA_DB_PATH: ":memory:",
        ALMA_REDIS_URL: `redis://127.0.0.1:${port}`,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    expect(code).toBe(69);
    expect(stderr).toContain(`cannot reach Redis at redis://127.0.0.1:${port} (ECONNREFUSED): start Redis or unset ALMA_REDIS_URL`);
  }, 120_000);
});
