import { describe, expect, it } from "vitest";
import { ScriptedChatModel } from "@alma/llm";
import { buildApp } from "../build-app.js";
import { testConfig } from "../testing/test-config.js";
import { WsTestClient } from "../testing/ws-test-client.js";
import { useTestResources } from "../testing/use-test-resources.js";

const { apps, clients } = useTestResources();

const LONG = Array.from({ length: 400 }, (_, i) => `word${i}`).join(" ");
const convo = { taskType: "conversational" } as const;

async function start(env: Record<string, string>) {
  const app = await buildApp({
    config: testConfig({ ALMA_SHUTDOWN_DEADLINE_MS: "0", ...env }),
    model: new ScriptedChatModel({ reply: LONG, tokensPerSecond: 20 }),
  });
  apps.push(app);
  const url = `${(await app.listen({ host: "127.0.0.1", port: 0 })).replace("http", "ws")}/ws`;
  const connect = async (o: Parameters<typeof WsTestClient.connect>[1] = {}) => {
    const c = await WsTestClient.connect(url, o);
    clients.push(c);
    return c;
  };
  return { app, connect };
}

describe("limits: past each one a typed error that says when to try again", () => {
  it("concurrent runs per connection (ALMA_MAX_RUNS_PER_CONNECTION)", async () => {
    const { app, connect } = await start({ ALMA_MAX_RUNS_PER_CONNECTION: "2" });
    const c = await connect();
    expect(c.of("welcome")[0]!.limits.maxConcurrentRunsPerConnection).toBe(2);
    c.send({ type: "message.send", clientMessageId: "a", content: "one", options: convo });
    c.send({ type: "message.send", clientMessageId: "b", content: "two", options: convo });
    await c.waitFor("message.accepted", (f) => f.clientMessageId === "b");
    c.send({ type: "message.send", clientMessageId: "c", content: "three", options: convo });
    const err = await c.waitFor("error", (e) => e.clientMessageId === "c");
    expect(err).toMatchObject({ code: "too_many_runs", retryable: true, frameType: "message.send" });
    expect(err.retryAfterMs).toBeGreaterThan(0);
    expect(err.message).toMatch(/2 answers in progress/);
    // refused before anything was stored: a resend after the wait is a fresh message
    expect(await app.alma.store.findUserMessageByClientId("c")).toBeNull();
    // another connection is not affected by this one's limit
    const other = await connect();
    other.send({ type: "message.send", clientMessageId: "d", content: "four", options: convo });
    await other.waitFor("message.accepted", (f) => f.clientMessageId === "d");
  });

  it("concurrent runs per server (ALMA_MAX_RUNS_PER_SERVER)", async () => {
    const { connect } = await start({ ALMA_MAX_RUNS_PER_SERVER: "2", ALMA_MAX_RUNS_PER_CONNECTION: "5" });
    const a = await connect();
    const b = await connect();
    a.send({ type: "message.send", clientMessageId: "a1", content: "one", options: convo });
    const first = await a.waitFor("message.accepted");
    b.send({ type: "message.send", clientMessageId: "b1", content: "two", options: convo });
    await b.waitFor("message.accepted");
    b.send({ type: "message.send", clientMessageId: "b2", content: "three", options: convo });
    const err = await b.waitFor("error", (e) => e.clientMessageId === "b2");
    expect(err).toMatchObject({ code: "too_many_runs", retryable: true });
    expect(err.message).toMatch(/server is busy/);
    expect(err.retryAfterMs).toBeGreaterThan(0);
    // once a run ends there is room again
    a.send({ type: "run.stop", runId: first.runId! });
    await a.waitForRunEnd(first.runId!);
    b.send({ type: "message.send", clientMessageId: "b3", content: "four", options: convo });
    await b.waitFor("message.accepted", (f) => f.clientMessageId === "b3");
  });

  it("messages per minute per client address (ALMA_MESSAGES_PER_MINUTE), counted across its connections", async () => {
    const { connect } = await start({ ALMA_MESSAGES_PER_MINUTE: "3", ALMA_MAX_RUNS_PER_CONNECTION: "10" });
    const a = await connect();
    const b = await connect();
    for (const id of ["m1", "m2"]) a.send({ type: "message.send", clientMessageId: id, content: id, options: convo });
    await a.waitFor("message.accepted", (f) => f.clientMessageId === "m2");
    b.send({ type: "message.send", clientMessageId: "m3", content: "m3", options: convo });
    await b.waitFor("message.accepted", (f) => f.clientMessageId === "m3");
    // a new tab from the same address does not get a fresh allowance
    b.send({ type: "message.send", clientMessageId: "m4", content: "m4", options: convo });
    const err = await b.waitFor("error", (e) => e.clientMessageId === "m4");
    expect(err).toMatchObject({ code: "rate_limited", retryable: true });
    expect(err.retryAfterMs).toBeGreaterThan(50_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(err.message).toMatch(/more than 3 messages in a minute\. Try again in \d+ s/);
  });

  it("maximum connections (ALMA_MAX_CONNECTIONS): refused with a typed error, close 1013, and room again after one leaves", async () => {
    const { app, connect } = await start({ ALMA_MAX_CONNECTIONS: "2" });
    const first = await connect();
    await connect();
    const third = await connect({ hello: false });
    const err = await third.waitFor("error");
    expect(err).toMatchObject({ code: "too_many_connections", retryable: true });
    expect(err.retryAfterMs).toBeGreaterThan(0);
    expect(await third.waitClosed()).toBe(1013);
    first.close();
    await expect.poll(() => app.alma.connections.size).toBe(1);
    const again = await connect();
    expect(again.of("welcome")).toHaveLength(1);
  });

  it("enforces runs per connection and messages per minute with typed errors", async () => {
    const { connect } = await start({ ALMA_MAX_RUNS_PER_CONNECTION: "1", ALMA_MESSAGES_PER_MINUTE: "2" });
    const c = await connect();
    c.send({ type: "message.send", clientMessageId: "a", content: "one", options: convo });
    const first = await c.waitFor("message.accepted");
    c.send({ type: "message.send", clientMessageId: "b", content: "two", options: convo });
    const busy = await c.waitFor("error", (e) => e.code === "too_many_runs");
    expect(busy.retryable).toBe(true);
    c.send({ type: "run.stop", runId: first.runId! });
    await c.waitForRunEnd(first.runId!);
    c.send({ type: "message.send", clientMessageId: "c", content: "three", options: convo });
    const second = await c.waitFor("message.accepted", (f) => f.clientMessageId === "c");
    c.send({ type: "run.stop", runId: second.runId! });
    await c.waitForRunEnd(second.runId!);
    c.send({ type: "message.send", clientMessageId: "d", content: "four", options: convo });
    const limited = await c.waitFor("error", (e) => e.code === "rate_limited");
    expect(limited.retryAfterMs).toBeGreaterThan(0);
  });
});
