import { afterEach, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { ScriptedChatModel } from "@alma/llm";
import { buildApp } from "../build-app.js";
import { testConfig } from "../testing/test-config.js";
import { WsTestClient } from "../testing/ws-test-client.js";

let app: FastifyInstance | null = null;
let client: WsTestClient | null = null;
afterEach(async () => {
  client?.terminate();
  await app?.close();
  app = null;
});

const convo = { taskType: "conversational" } as const;

describe("error frames name what they answer", () => {
  it("carries the clientMessageId of a refused message.send / message.edit and the runId of a refused run.resume / run.stop", async () => {
    app = await buildApp({ config: testConfig({ ALMA_SHUTDOWN_DEADLINE_MS: "0" }), model: new ScriptedChatModel({ reply: "ok" }) });
    const url = `${(await app.listen({ host: "127.0.0.1", port: 0 })).replace("http", "ws")}/ws`;
    const c = await WsTestClient.connect(url);
    client = c;

    c.send({ type: "message.send", clientMessageId: "to-nowhere", conversationId: "no-such-conversation", content: "hi", options: convo });
    expect(await c.waitFor("error", (e) => e.clientMessageId === "to-nowhere")).toMatchObject({ code: "not_found", frameType: "message.send" });

    // invalid frames too, when the id can be read
    c.send({ type: "message.send", clientMessageId: "empty-one", content: "   " });
    const invalid = await c.waitFor("error", (e) => e.clientMessageId === "empty-one");
    expect(invalid).toMatchObject({ code: "invalid_frame", frameType: "message.send" });
    expect(invalid.issues?.[0]?.message).toMatch(/empty/);

    c.send({ type: "message.send", clientMessageId: "real", content: "hello", options: convo });
    const accepted = await c.waitFor("message.accepted");
    await c.waitForRunEnd(accepted.runId!);
    c.send({ type: "message.edit", clientMessageId: "bad-edit", conversationId: accepted.conversationId, messageId: "not-a-message", content: "x" });
    expect(await c.waitFor("error", (e) => e.clientMessageId === "bad-edit")).toMatchObject({ code: "not_found", frameType: "message.edit" });

    c.send({ type: "run.resume", runId: "run-gone", afterIndex: 3 });
    expect(await c.waitFor("error", (e) => e.runId === "run-gone")).toMatchObject({ code: "not_found", frameType: "run.resume" });
    c.send({ type: "run.stop", runId: accepted.runId! });
    expect(await c.waitFor("error", (e) => e.runId === accepted.runId)).toMatchObject({ code: "not_found", frameType: "run.stop" });
    c.send({ type: "run.stop", runId: 42 } as Record<string, unknown>);
    const wrongType = await c.waitFor("error", (e) => e.frameType === "run.stop" && e.code === "invalid_frame");
    expect(wrongType.runId).toBeUndefined();

    // errors about other frames carry neither
    c.send({ type: "conversation.history", requestId: "h", conversationId: "nope" });
    const other = await c.waitFor("error", (e) => e.requestId === "h");
    expect(other.clientMessageId).toBeUndefined();
    expect(other.runId).toBeUndefined();
    expect(c.invalid).toEqual([]);
  });
});
