import { afterAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { ScriptedChatModel } from "@alma/llm";
import { buildApp } from "../build-app.js";
import { testConfig } from "../testing/test-config.js";
import { WsTestClient } from "../testing/ws-test-client.js";

const MIB = 1024 * 1024;

let app: FastifyInstance;
const clients: WsTestClient[] = [];
afterAll(async () => {
  for (const c of clients) c.terminate();
  await app?.close();
});

describe("bad input with the default limits", () => {
  it("takes frames up to 1 MiB (answering a bad one with a typed error) and closes on a larger one with 1009", async () => {
    app = await buildApp({ config: testConfig(), model: new ScriptedChatModel() });
    const url = `${(await app.listen({ host: "127.0.0.1", port: 0 })).replace("http", "ws")}/ws`;
    const c = await WsTestClient.connect(url);
    clients.push(c);
    expect(c.of("welcome")[0]!.limits.maxFrameBytes).toBe(MIB);

    // just under the frame limit, but a message far longer than the protocol allows: a typed error, socket open
    const content = "a".repeat(MIB - 200);
    const near = JSON.stringify({ type: "message.send", clientMessageId: "near", content });
    expect(Buffer.byteLength(near)).toBeLessThan(MIB);
    c.sendRaw(near);
    const err = await c.waitFor("error", (e) => e.clientMessageId === "near");
    expect(err).toMatchObject({ code: "invalid_frame", frameType: "message.send" });
    expect(err.issues?.[0]?.path).toBe("content");
    c.send({ type: "ping", at: 1 });
    await c.waitFor("pong", (p) => p.at === 1);

    const over = JSON.stringify({ type: "message.send", clientMessageId: "over", content: "b".repeat(MIB) });
    c.sendRaw(over);
    expect(await c.waitClosed()).toBe(1009);

    // the server is unharmed
    const next = await WsTestClient.connect(url);
    clients.push(next);
    next.send({ type: "message.send", clientMessageId: "after", content: "still there?", options: { taskType: "conversational" } });
    const accepted = await next.waitFor("message.accepted");
    await next.waitFor("run.completed", (f) => f.runId === accepted.runId);
    expect(await app.alma.store.findUserMessageByClientId("near")).toBeNull();
    expect(await app.alma.store.findUserMessageByClientId("over")).toBeNull();
  });
});
