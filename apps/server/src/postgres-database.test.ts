import { mkdtempSync, rmSync } from "node:fs";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScriptedChatModel } from "@alma/llm";
import { createTestDatabase, PostgresConversationStore, type TestDatabase } from "@alma/store";
import { buildApp } from "./build-app.js";
import { spawnServer, type SpawnedServer } from "./testing/spawn-server.js";
import { testConfig } from "./testing/test-config.js";
import { WsTestClient } from "./testing/ws-test-client.js";
import { freePort } from "./testing/free-port.js";

const SERVER_DIR = fileURLToPath(new URL("..", import.meta.url));
const WAIT_MS = 60_000;
const dir = mkdtempSync(join(tmpdir(), "alma-pg-"));
let db: TestDatabase;
const servers: SpawnedServer[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const s of servers) s.child.kill("SIGKILL");
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the server on PostgreSQL (ALMA_DATABASE_URL)", () => {
  it("answers over the WebSocket, says so on /health, and shows the history after a restart", async () => {
    // the SQLite path is only the answer cache's folder here: the conversations live in PostgreSQL
    const env = { ALMA_PROVIDER: "scripted", ALMA_SCRIPTED_TPS: "400", ALMA_DATABASE_URL: db.url, ALMA_DB_PATH: join(dir, "data", "alma.db") };
    const first = await spawnServer(env);
    servers.push(first);
    const health = (await (await fetch(`${first.url}/health`)).json()) as { status: string; database: unknown };
    expect(health).toMatchObject({ status: "ok", database: { kind: "postgres", ok: true } });

    const c = await WsTestClient.connect(`${first.url.replace("http", "ws")}/ws`);
    c.send({ type: "message.send", clientMessageId: "pg-1", content: "Where do my conversations live?", options: { taskType: "conversational" } });
    const accepted = await c.waitFor("message.accepted", () => true, WAIT_MS);
    const done = await c.waitFor("run.completed", (f) => f.runId === accepted.runId, WAIT_MS);
    const answer = c
      .of("run.token")
      .filter((t) => t.runId === accepted.runId)
      .map((t) => t.text)
      .join("");
    expect(answer.length).toBeGreaterThan(0);
    expect(done.finishReason).toBe("stop");
    c.terminate();
    first.child.kill("SIGTERM");
    expect((await first.exited).code).toBe(0);

    // what the first process stored is in the database itself
    const direct = await PostgresConversationStore.open({ url: db.url });
    expect((await direct.listMessages(accepted.conversationId)).map((m) => [m.role, m.status])).toEqual([
      ["user", "complete"],
      ["assistant", "complete"],
    ]);
    await direct.close();

    const second = await spawnServer(env);
    servers.push(second);
    const again = await WsTestClient.connect(`${second.url.replace("http", "ws")}/ws`);
    again.send({ type: "conversation.history", requestId: "h1", conversationId: accepted.conversationId });
    const history = await again.waitFor("conversation.history.result", (f) => f.requestId === "h1", WAIT_MS);
    expect(history.conversation.title).toBe("Where do my conversations live?");
    expect(history.messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "Where do my conversations live?"],
      ["assistant", answer],
    ]);
    again.send({ type: "conversation.list", requestId: "l1" });
    const listed = await again.waitFor("conversation.list.result", (f) => f.requestId === "l1", WAIT_MS);
    expect(listed.conversations.map((x) => x.id)).toContain(accepted.conversationId);
    again.terminate();
    second.child.kill("SIGTERM");
    expect((await second.exited).code).toBe(0);
  }, 300_000);

  it("two servers on one database: a message resent to both at once is stored once, the other told it is a duplicate", async () => {
    const config = testConfig({ ALMA_DATABASE_URL: db.url });
    const apps = await Promise.all([0, 1].map(() => buildApp({ config, model: new ScriptedChatModel({ reply: "Stored once.", tokensPerSecond: 500 }) })));
    const sockets: WsTestClient[] = [];
    try {
      const urls = await Promise.all(apps.map((a) => a.listen({ host: "127.0.0.1", port: 0 })));
      const conversation = await apps[0]!.alma.store.createConversation("shared");
      for (const url of urls) sockets.push(await WsTestClient.connect(`${url.replace("http", "ws")}/ws`));
      const frame = {
        type: "message.send",
        conversationId: conversation.id,
        clientMessageId: "twice",
        content: "once",
        options: { taskType: "conversational" },
      };
      for (const c of sockets) c.send(frame);
      const accepted = await Promise.all(sockets.map((c) => c.waitFor("message.accepted", () => true, WAIT_MS)));
      expect(accepted.map((a) => a.duplicate).sort()).toEqual([false, true]);
      expect(new Set(accepted.map((a) => a.userMessageId)).size).toBe(1);
      const original = accepted.find((a) => !a.duplicate)!;
      const owner = sockets[accepted.indexOf(original)]!;
      await owner.waitFor("run.completed", (f) => f.runId === original.runId, WAIT_MS);
      expect((await apps[1]!.alma.store.listMessages(conversation.id)).map((m) => [m.role, m.content])).toEqual([
        ["user", "once"],
        ["assistant", "Stored once."],
      ]);
    } finally {
      for (const c of sockets) c.terminate();
      await Promise.all(apps.map((a) => a.close()));
    }
  }, 60_000);

  it("refuses to start when PostgreSQL cannot be reached, saying what, where and how to fix it", async () => {
    const port = await freePort();
    const url = `postgres://postgres@127.0.0.1:${port}/alma`;
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: SERVER_DIR,
      env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", ALMA_PROVIDER: "scripted", ALMA_DATABASE_URL: url, ALMA_DB_PATH: ":memory:" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    expect(code).toBe(69);
    expect(stderr).toContain(
      `cannot reach PostgreSQL at postgres://postgres@127.0.0.1:${port}/alma (ECONNREFUSED): start PostgreSQL, fix ALMA_DATABASE_URL, or unset it to use SQLite`,
    );
  }, 120_000);

  it("/health tells a database that stopped answering: 503, degraded, the reason; SQLite's state likewise", async () => {
    const gone = await createTestDatabase();
    const app = await buildApp({ config: testConfig({ ALMA_DATABASE_URL: gone.url }), model: new ScriptedChatModel() });
    try {
      expect((await app.inject({ method: "GET", url: "/health" })).json()).toMatchObject({ status: "ok", database: { kind: "postgres", ok: true } });
      await gone.drop();
      const res = await app.inject({ method: "GET", url: "/health" });
      expect(res.statusCode).toBe(503);
      const body = res.json() as { status: string; modelReady: boolean; database: { kind: string; ok: boolean; error: string } };
      expect(body).toMatchObject({ status: "degraded", modelReady: true, database: { kind: "postgres", ok: false } });
      expect(body.database.error).toMatch(/PostgreSQL at postgres:\/\/.*(has no database|cannot be used|cannot reach)/);
    } finally {
      await app.close();
    }
    const sqlite = await buildApp({ config: testConfig(), model: new ScriptedChatModel() });
    try {
      const res = await sqlite.inject({ method: "GET", url: "/health" });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: "ok", modelReady: true, database: { kind: "sqlite", ok: true } });
    } finally {
      await sqlite.close();
    }
  }, 60_000);
});
