import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAIServer } from "@alma/testing";
import { spawnServer, type SpawnedServer } from "../testing/spawn-server.js";
import { WsTestClient } from "../testing/ws-test-client.js";

const dir = mkdtempSync(join(tmpdir(), "alma-ctrl-c-"));
let fake: FakeOpenAIServer;
const servers: SpawnedServer[] = [];
afterAll(async () => {
  for (const s of servers) s.child.kill("SIGKILL");
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});
const WAIT_MS = 60_000;

describe("Ctrl-C on a real server process", () => {
  it("one Ctrl-C delivered twice (terminal and npm start) lets the running answer finish within the shutdown deadline; a later one cuts it", async () => {
    const words = Array.from({ length: 120 }, (_, i) => ` w${i}`);
    fake = await startFakeOpenAI({ handler: () => ({ tokens: words, tokensPerSecond: 60 }) });
    const env = {
      ALMA_PROVIDER: "openai",
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: "sk-test",
      ALMA_DB_PATH: join(dir, "a.db"),
      ALMA_SHUTDOWN_DEADLINE_MS: "15000",
    };
    const server = await spawnServer(env);
    servers.push(server);
    const c = await WsTestClient.connect(`${server.url.replace("http", "ws")}/ws`);
    c.send({ type: "message.send", clientMessageId: "m", content: "count slowly", options: { taskType: "conversational" } });
    const { runId } = await c.waitFor("message.accepted", () => true, WAIT_MS);
    await c.waitFor("run.token", (t) => t.runId === runId && t.seq >= 5, WAIT_MS);
    server.child.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 50));
    server.child.kill("SIGINT");
    const end = await c.waitForRunEnd(runId!, WAIT_MS);
    expect(end.type).toBe("run.completed");
    expect(end.type === "run.completed" && end.finishReason).toBe("stop");
    expect(
      c
        .tokens(runId!)
        .map((t) => t.text)
        .join(""),
    ).toBe(words.join(""));
    expect((await server.exited).code).toBe(0);
    expect(server.logs.join("")).not.toContain("second signal");

    // a deliberate second Ctrl-C, later, still means "now"
    const again = await spawnServer({ ...env, ALMA_DB_PATH: join(dir, "b.db") });
    servers.push(again);
    const d = await WsTestClient.connect(`${again.url.replace("http", "ws")}/ws`);
    fake.setHandler(() => ({ tokens: Array.from({ length: 2000 }, (_, i) => ` s${i}`), tokensPerSecond: 60 }));
    d.send({ type: "message.send", clientMessageId: "m2", content: "a long one", options: { taskType: "conversational" } });
    const second = await d.waitFor("message.accepted", () => true, WAIT_MS);
    await d.waitFor("run.token", (t) => t.runId === second.runId && t.seq >= 5, WAIT_MS);
    again.child.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 1_300));
    again.child.kill("SIGINT");
    const cut = await d.waitForRunEnd(second.runId!, WAIT_MS);
    expect(cut).toMatchObject({ type: "run.error", code: "shutting_down", partial: true });
    expect((await again.exited).code).toBe(0);
  }, 180_000);

  it("an answer longer than the default shutdown deadline (10 s) is stored interrupted at the deadline and the server exits cleanly", async () => {
    const slow = () => ({ tokens: Array.from({ length: 400 }, (_, i) => ` d${i}`), tokensPerSecond: 10 });
    if (fake) fake.setHandler(slow);
    else fake = await startFakeOpenAI({ handler: slow });
    const server = await spawnServer({
      ALMA_PROVIDER: "openai",
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: "sk-test",
      ALMA_DB_PATH: join(dir, "c.db"),
    });
    servers.push(server);
    const c = await WsTestClient.connect(`${server.url.replace("http", "ws")}/ws`);
    c.send({ type: "message.send", clientMessageId: "long", content: "a very long one", options: { taskType: "conversational" } });
    const { runId } = await c.waitFor("message.accepted", () => true, WAIT_MS);
    await c.waitFor("run.token", (t) => t.runId === runId && t.seq >= 5, WAIT_MS);
    server.child.kill("SIGINT");
    const cut = await c.waitForRunEnd(runId!, WAIT_MS);
    expect(cut).toMatchObject({ type: "run.error", code: "shutting_down", partial: true });
    expect((await server.exited).code).toBe(0);
    const logs = server.logs.join("");
    expect(logs).toContain("shut down cleanly");
    // the terminal says how to stop it sooner
    expect(logs).toContain("the 1 running answer may finish within 10 s (press Ctrl-C again to stop it now)");
    expect(logs).not.toContain("error while shutting down");
  }, 120_000);
});
