import { describe, expect, it } from "vitest";
import { ScriptedChatModel } from "@alma/llm";
import { SqliteConversationStore } from "@alma/store";
import { buildApp } from "../build-app.js";
import { testConfig } from "../testing/test-config.js";
import { WsTestClient } from "../testing/ws-test-client.js";

const LONG = Array.from({ length: 1000 }, (_, i) => `w${i}`).join(" ");

describe("graceful shutdown", () => {
  it("refuses new runs, lets short ones finish, stores the rest as interrupted, then closes", async () => {
    const store = new SqliteConversationStore({ path: ":memory:" });
    let n = 0;
    const model = new ScriptedChatModel({
      reply: () => (++n === 1 ? { text: LONG, tokensPerSecond: 40 } : { text: "short answer", tokensPerSecond: 40 }),
    });
    const app = await buildApp({ config: testConfig({ ALMA_SHUTDOWN_DEADLINE_MS: "600" }), model, store });
    const address = await app.listen({ host: "127.0.0.1", port: 0 });
    const url = `${address.replace("http", "ws")}/ws`;
    const a = await WsTestClient.connect(url);
    const b = await WsTestClient.connect(url);
    a.send({ type: "message.send", clientMessageId: "long", content: "long", options: { taskType: "conversational" } });
    const long = await a.waitFor("message.accepted");
    b.send({ type: "message.send", clientMessageId: "short", content: "short", options: { taskType: "conversational" } });
    const short = await b.waitFor("message.accepted");
    await a.waitFor("run.token", (t) => t.runId === long.runId);

    const closing = app.close();
    await new Promise((r) => setTimeout(r, 50));
    b.send({ type: "message.send", clientMessageId: "late", content: "late", options: { taskType: "conversational" } });
    await b.waitFor("error", (e) => e.code === "shutting_down");

    const err = await a.waitFor("run.error", (f) => f.runId === long.runId, 5000);
    expect(err).toMatchObject({ code: "shutting_down", partial: true, retryable: true });
    await closing;
    expect(await a.waitClosed()).toBe(1001);
    expect((await store.listMessages(short.conversationId)).at(-1)).toMatchObject({ status: "complete", content: "short answer" });
    const interrupted = (await store.listMessages(long.conversationId)).at(-1)!;
    expect(interrupted.status).toBe("interrupted");
    expect(interrupted.content.length).toBeGreaterThan(0);
    await store.close();
  });
});
