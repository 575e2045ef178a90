import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAIServer } from "@alma/testing";
import { SqliteConversationStore } from "@alma/store";
import type { Message } from "@alma/protocol";
import { spawnServer, type SpawnedServer } from "../testing/spawn-server.js";
import { WsTestClient } from "../testing/ws-test-client.js";

const dir = mkdtempSync(join(tmpdir(), "alma-crash-"));
const dbPath = join(dir, "data", "alma.db");
let fake: FakeOpenAIServer;
const servers: SpawnedServer[] = [];
afterAll(async () => {
  for (const s of servers) s.child.kill("SIGKILL");
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

const STORY = Array.from({ length: 2000 }, (_, i) => ` s${i}`);
/** generous waits: the machine may be busy with other work while this runs */
const WAIT_MS = 60_000;

async function startStreaming(server: SpawnedServer, clientMessageId: string) {
  const c = await WsTestClient.connect(`${server.url.replace("http", "ws")}/ws`);
  c.send({ type: "message.send", clientMessageId, content: "tell me a long story", options: { taskType: "conversational" } });
  const accepted = await c.waitFor("message.accepted", () => true, WAIT_MS);
  await c.waitFor("run.token", (t) => t.seq >= 10, WAIT_MS);
  return { c, accepted };
}

describe("crash safety (a real server process)", () => {
  it("kill -9 mid-answer loses nothing acknowledged; after restart the answer is interrupted with its partial text; SIGTERM exits 0", async () => {
    fake = await startFakeOpenAI({ handler: () => ({ tokens: STORY, tokensPerSecond: 100 }) });
    const env = {
      ALMA_PROVIDER: "openai",
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: "sk-test",
      ALMA_DB_PATH: dbPath,
      ALMA_FLUSH_INTERVAL_MS: "100",
      ALMA_SHUTDOWN_DEADLINE_MS: "300",
    };
    const first = await spawnServer(env);
    servers.push(first);
    const { c, accepted } = await startStreaming(first, "crash-1");
    // kill only once a flush of the partial text has reached the database (a busy machine may delay it)
    const watcher = new SqliteConversationStore({ path: dbPath });
    await expect
      .poll(async () => (await watcher.listMessages(accepted.conversationId))[1]?.content.length ?? 0, { timeout: WAIT_MS, interval: 50 })
      .toBeGreaterThan(0);
    await watcher.close();
    first.child.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");
    const seen = c
      .tokens(accepted.runId!)
      .map((t) => t.text)
      .join("");
    c.terminate();

    const peek = new SqliteConversationStore({ path: dbPath });
    const [user, answer] = await peek.listMessages(accepted.conversationId);
    expect(user).toMatchObject({ role: "user", content: "tell me a long story", clientMessageId: "crash-1" });
    expect(answer!.status).toBe("streaming");
    expect(answer!.content.length).toBeGreaterThan(0);
    // what was stored and what the client saw are both the upstream's answer up to some token
    expect(STORY.join("").startsWith(answer!.content)).toBe(true);
    expect(STORY.join("").startsWith(seen)).toBe(true);
    await peek.close();

    const second = await spawnServer(env);
    servers.push(second);
    const res = await fetch(`${second.url}/api/conversations/${accepted.conversationId}`);
    const body = (await res.json()) as { messages: Message[] };
    expect(body.messages[1]).toMatchObject({ status: "interrupted", content: answer!.content });

    // graceful: a run still going at SIGTERM is stored as interrupted and the process exits 0
    const { c: c2, accepted: a2 } = await startStreaming(second, "term-1");
    second.child.kill("SIGTERM");
    const err = await c2.waitFor("run.error", (f) => f.runId === a2.runId, WAIT_MS);
    expect(err.code).toBe("shutting_down");
    expect((await second.exited).code).toBe(0);
    c2.terminate();
    const after = new SqliteConversationStore({ path: dbPath });
    const last = (await after.listMessages(a2.conversationId)).at(-1)!;
    expect(last.status).toBe("interrupted");
    expect(last.content).toBe(
      c2
        .tokens(a2.runId!)
        .map((t) => t.text)
        .join(""),
    );
    await after.close();
  }, 300_000);
});
