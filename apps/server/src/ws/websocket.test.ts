import { describe, expect, it } from "vitest";
import { ScriptedChatModel } from "@alma/llm";
import { buildApp, type BuildAppOptions } from "../build-app.js";
import { testConfig } from "../testing/test-config.js";
import { WsTestClient } from "../testing/ws-test-client.js";
import { useTestResources } from "../testing/use-test-resources.js";

const { apps, clients } = useTestResources();

async function start(opts: Partial<BuildAppOptions> & { env?: Record<string, string> } = {}) {
  const { env, ...rest } = opts;
  const app = await buildApp({ config: testConfig(env), model: new ScriptedChatModel(), ...rest });
  apps.push(app);
  const address = await app.listen({ host: "127.0.0.1", port: 0 });
  const url = `${address.replace("http", "ws")}/ws`;
  const connect = async (o: Parameters<typeof WsTestClient.connect>[1] = {}) => {
    const c = await WsTestClient.connect(url, o);
    clients.push(c);
    return c;
  };
  return { app, url, connect };
}

const convo = { taskType: "conversational" } as const;
const LONG = Array.from({ length: 400 }, (_, i) => `word${i}`).join(" ");

describe("WebSocket /ws", () => {
  it("streams a run: accepted, started, tokens in order without gaps, completed with metrics; stored", async () => {
    const { app, connect } = await start({ model: new ScriptedChatModel({ reply: "Hello there, how are you today?" }) });
    const c = await connect();
    c.send({ type: "message.send", clientMessageId: "m1", content: "Hi!", options: convo });
    const accepted = await c.waitFor("message.accepted");
    expect(accepted.duplicate).toBe(false);
    const runId = accepted.runId!;
    const done = await c.waitFor("run.completed", (f) => f.runId === runId);
    expect(c.invalid).toEqual([]);

    const events = c.frames.filter((f) => "runId" in f && f.runId === runId && "index" in f) as Array<{ index: number; type: string }>;
    expect(events.map((e) => e.index)).toEqual(events.map((_, i) => i));
    expect(events[0]!.type).toBe("run.started");
    const tokens = c.tokens(runId);
    expect(tokens.map((t) => t.seq)).toEqual(tokens.map((_, i) => i));
    expect(tokens.map((t) => t.text).join("")).toBe("Hello there, how are you today?");

    expect(done.finishReason).toBe("stop");
    expect(done.metrics.firstTokenMs).not.toBeNull();
    expect(done.metrics.requestBuiltMs).not.toBeNull();
    expect(done.metrics.upstreamStartedMs).not.toBeNull();
    expect(done.metrics.completionTokens).toBeGreaterThan(0);
    expect(done.metrics.context?.promptTokens).toBeGreaterThan(0);

    const [user, answer] = app.alma.store.listMessages(accepted.conversationId);
    expect(user).toMatchObject({ role: "user", content: "Hi!", clientMessageId: "m1" });
    expect(answer).toMatchObject({ role: "assistant", status: "complete", content: "Hello there, how are you today?", runId });
    expect(answer!.metrics?.completionTokens).toBe(done.metrics.completionTokens);

    const metrics = await app.inject({ method: "GET", url: "/metrics" });
    expect(metrics.body).toContain('alma_runs_total{outcome="completed"} 1');
  });

  it("answers bad frames with typed errors and stays usable", async () => {
    const { connect } = await start();
    const c = await connect();
    c.sendRaw("{not json");
    await c.waitFor("error", (e) => e.code === "invalid_json");
    c.send({ type: "launch.rockets", requestId: "r1" });
    const unknown = await c.waitFor("error", (e) => e.requestId === "r1");
    expect(unknown.code).toBe("invalid_frame");
    c.send({ type: "message.send", clientMessageId: "m", content: 42 } as Record<string, unknown>);
    const wrong = await c.waitFor("error", (e) => e.frameType === "message.send");
    expect(wrong.issues?.[0]?.path).toBe("content");
    c.send({ type: "conversation.history", requestId: "h1", conversationId: "missing" });
    expect((await c.waitFor("error", (e) => e.requestId === "h1")).code).toBe("not_found");
    c.send({ type: "ping", at: 5 });
    expect(await c.waitFor("pong")).toMatchObject({ at: 5 });
    expect(c.closeCode).toBeNull();
  });

  it("requires the handshake first and refuses a wrong protocol version", async () => {
    const { connect } = await start();
    const c = await connect({ hello: false });
    c.send({ type: "ping" });
    await c.waitFor("error", (e) => e.code === "handshake_required");
    c.send({ type: "hello", protocolVersion: 999 });
    await c.waitFor("error", (e) => e.code === "unsupported_version");
    expect(await c.waitClosed()).toBe(1002);
  });

  it("checks the access token in the hello when one is set", async () => {
    const token = "a-long-enough-token-123";
    const { connect } = await start({ env: { ALMA_AUTH_TOKEN: token } });
    const bad = await connect({ hello: false });
    bad.send({ type: "hello", protocolVersion: 1, token: "nope" });
    await bad.waitFor("error", (e) => e.code === "unauthorized");
    expect(await bad.waitClosed()).toBe(1008);
    const good = await connect({ token });
    expect(good.of("welcome")).toHaveLength(1);
  });

  it("refuses an Origin outside the allow-list at the upgrade and accepts listed ones", async () => {
    const { url, connect } = await start();
    await expect(WsTestClient.connect(url, { origin: "https://evil.example" })).rejects.toThrow("HTTP 403");
    const ok = await connect({ origin: "http://localhost:3000" });
    expect(ok.of("welcome")[0]!.limits.maxFrameBytes).toBe(1024 * 1024);
  });

  it("closes on binary frames (1003), invalid UTF-8 (1007) and oversized frames (1009)", async () => {
    const { connect } = await start({ env: { ALMA_MAX_FRAME_BYTES: "2048" } });
    const bin = await connect();
    bin.sendRaw(Buffer.from([1, 2, 3]), true);
    expect(await bin.waitClosed()).toBe(1003);
    const big = await connect();
    big.sendRaw(JSON.stringify({ type: "ping", pad: "x".repeat(5000) }));
    expect(await big.waitClosed()).toBe(1009);
    const badText = await connect();
    badText.sendRaw(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), false);
    expect(await badText.waitClosed()).toBe(1007);
  });

  it("does not store a resent clientMessageId twice", async () => {
    const { app, connect } = await start();
    const c = await connect();
    c.send({ type: "message.send", clientMessageId: "dup-1", content: "once", options: convo });
    const first = await c.waitFor("message.accepted");
    await c.waitForRunEnd(first.runId!);
    c.send({ type: "message.send", clientMessageId: "dup-1", content: "once", options: convo });
    const second = await c.waitFor("message.accepted", (f) => f.duplicate);
    expect(second).toMatchObject({ conversationId: first.conversationId, userMessageId: first.userMessageId, runId: null });
    c.send({ type: "message.send", clientMessageId: "dup-1", conversationId: first.conversationId, content: "once", options: convo });
    await c.waitFor("message.accepted", (f) => f.duplicate, 5000, c.frames.indexOf(second) + 1);
    expect(app.alma.store.listMessages(first.conversationId).filter((m) => m.role === "user")).toHaveLength(1);
    expect(app.alma.store.listConversations()).toHaveLength(1);
  });

  it("stops a run within one token and keeps the partial answer as stopped", async () => {
    const { app, connect } = await start({ model: new ScriptedChatModel({ reply: LONG, tokensPerSecond: 100 }) });
    const c = await connect();
    c.send({ type: "message.send", clientMessageId: "s1", content: "go", options: convo });
    const { runId, conversationId } = await c.waitFor("message.accepted");
    await c.waitFor("run.token", (t) => t.runId === runId && t.seq === 3);
    c.send({ type: "run.stop", runId: runId! });
    const sentAt = c.tokens(runId!).length;
    const done = await c.waitFor("run.completed", (f) => f.runId === runId);
    expect(done.finishReason).toBe("stopped");
    expect(c.tokens(runId!).length).toBeLessThanOrEqual(sentAt + 1);
    const answer = app.alma.store.listMessages(conversationId).at(-1)!;
    expect(answer.status).toBe("stopped");
    expect(answer.content).toBe(c.tokens(runId!).map((t) => t.text).join(""));
    expect(answer.content.length).toBeGreaterThan(0);
  });

  it("shows a run to every tab on the conversation and resumes after a reconnect without gaps", async () => {
    const { app, connect } = await start({ model: new ScriptedChatModel({ reply: LONG, tokensPerSecond: 200 }) });
    const a = await connect();
    a.send({ type: "message.send", clientMessageId: "r1", content: "go", options: convo });
    const { runId, conversationId } = await a.waitFor("message.accepted");
    await a.waitFor("run.token", (t) => t.runId === runId && t.seq === 5);

    // a second tab opens the conversation and joins the live run from the start
    const b = await connect();
    b.send({ type: "conversation.history", requestId: "h", conversationId });
    const history = await b.waitFor("conversation.history.result");
    expect(history.activeRun?.runId).toBe(runId);
    b.send({ type: "run.resume", runId: runId!, afterIndex: -1 });

    // the first tab drops, then comes back and resumes from the last index it has
    await a.waitFor("run.token", (t) => t.runId === runId && t.seq === 15);
    a.terminate();
    const lastIndex = Math.max(...a.frames.filter((f) => "index" in f && f.runId === runId).map((f) => (f as { index: number }).index));
    await new Promise((r) => setTimeout(r, 150));
    const a2 = await connect();
    a2.send({ type: "run.resume", runId: runId!, afterIndex: lastIndex });
    await a2.waitForRunEnd(runId!);
    await b.waitForRunEnd(runId!);

    const joined = [...a.tokens(runId!).filter((t) => t.index <= lastIndex), ...a2.tokens(runId!)];
    expect(joined.map((t) => t.seq)).toEqual(joined.map((_, i) => i));
    const text = joined.map((t) => t.text).join("");
    expect(text.length).toBeGreaterThan(100);
    expect(LONG.startsWith(text)).toBe(true);
    expect(b.tokens(runId!).map((t) => t.text).join("")).toBe(text);
    expect(app.alma.store.listMessages(conversationId).at(-1)!.content).toBe(text);
  });

  it("stops a run whose viewers all left once the grace period passes", async () => {
    const { app, connect } = await start({
      model: new ScriptedChatModel({ reply: LONG, tokensPerSecond: 50 }),
      env: { ALMA_RESUME_GRACE_MS: "200" },
    });
    const c = await connect();
    c.send({ type: "message.send", clientMessageId: "g1", content: "go", options: convo });
    const { conversationId } = await c.waitFor("message.accepted");
    await c.waitFor("run.token");
    c.terminate();
    await expect.poll(() => app.alma.store.listMessages(conversationId).at(-1)?.status, { timeout: 5000 }).toBe("stopped");
  });

  it("edits a message (truncating after it), regenerates and continues", async () => {
    let n = 0;
    const { app, connect } = await start({ model: new ScriptedChatModel({ reply: () => `answer ${++n}` }) });
    const c = await connect();
    c.send({ type: "message.send", clientMessageId: "e1", content: "first question", options: convo });
    const first = await c.waitFor("message.accepted");
    await c.waitForRunEnd(first.runId!);
    const cid = first.conversationId;

    c.send({ type: "message.edit", clientMessageId: "e2", conversationId: cid, messageId: first.userMessageId, content: "edited question", options: convo });
    const edited = await c.waitFor("message.accepted", (f) => f.clientMessageId === "e2");
    await c.waitForRunEnd(edited.runId!);
    expect(app.alma.store.listMessages(cid).map((m) => m.content)).toEqual(["edited question", expect.stringMatching(/^answer/)]);

    let mark = c.frames.length;
    c.send({ type: "run.regenerate", conversationId: cid, options: { ...convo, bypassCache: true } });
    const started = await c.waitFor("run.started", () => true, 5000, mark);
    await c.waitForRunEnd(started.runId);
    const after = app.alma.store.listMessages(cid);
    expect(after).toHaveLength(2);
    expect(after[1]!.runId).toBe(started.runId);

    // a stopped answer can be continued; the new tokens are appended to it
    app.alma.store.updateAssistantMessage(after[1]!.id, { status: "stopped", content: "partial" });
    mark = c.frames.length;
    c.send({ type: "run.continue", conversationId: cid, messageId: after[1]!.id });
    const cont = await c.waitFor("run.started", () => true, 5000, mark);
    await c.waitForRunEnd(cont.runId);
    const continued = app.alma.store.getMessage(after[1]!.id)!;
    expect(continued.status).toBe("complete");
    expect(continued.content.startsWith("partial")).toBe(true);
    expect(continued.runId).toBe(cont.runId);

    // a complete answer is continued only when it was cut at its length limit
    app.alma.store.updateAssistantMessage(after[1]!.id, { status: "complete", finishReason: "stop" });
    mark = c.frames.length;
    c.send({ type: "run.continue", conversationId: cid, messageId: after[1]!.id });
    expect((await c.waitFor("error", () => true, 5000, mark)).code).toBe("conflict");
    app.alma.store.updateAssistantMessage(after[1]!.id, { status: "complete", finishReason: "length", content: "cut" });
    mark = c.frames.length;
    c.send({ type: "run.continue", conversationId: cid, messageId: after[1]!.id });
    const lengthCont = await c.waitFor("run.started", () => true, 5000, mark);
    await c.waitForRunEnd(lengthCont.runId);
    expect(app.alma.store.getMessage(after[1]!.id)!.content.startsWith("cut")).toBe(true);
  });

  it("lists, renames, deletes and restores conversations and pins facts", async () => {
    const { connect } = await start();
    const c = await connect();
    c.send({ type: "message.send", clientMessageId: "l1", content: "Tell me about otters", options: convo });
    const { conversationId, runId } = await c.waitFor("message.accepted");
    await c.waitForRunEnd(runId!);
    c.send({ type: "conversation.list", requestId: "l" });
    expect((await c.waitFor("conversation.list.result")).conversations[0]).toMatchObject({ id: conversationId, title: "Tell me about otters" });
    c.send({ type: "conversation.rename", requestId: "rn", conversationId, title: "Otters" });
    expect((await c.waitFor("conversation.updated", (f) => f.requestId === "rn")).conversation.title).toBe("Otters");
    c.send({ type: "memory.pin", requestId: "p", conversationId, text: "likes otters" });
    const pinned = await c.waitFor("memory.updated", (f) => f.requestId === "p");
    expect(pinned.pinnedFacts.map((f) => f.text)).toEqual(["likes otters"]);
    c.send({ type: "memory.unpin", requestId: "u", conversationId, factId: pinned.pinnedFacts[0]!.id });
    expect((await c.waitFor("memory.updated", (f) => f.requestId === "u")).pinnedFacts).toEqual([]);
    c.send({ type: "conversation.delete", requestId: "d", conversationId });
    expect((await c.waitFor("conversation.deleted")).restorableUntil).toBeGreaterThan(Date.now());
    c.send({ type: "conversation.restore", requestId: "rs", conversationId });
    await c.waitFor("conversation.updated", (f) => f.requestId === "rs");
  });

  it("enforces runs per connection and messages per minute with typed errors", async () => {
    const { connect } = await start({
      model: new ScriptedChatModel({ reply: LONG, tokensPerSecond: 20 }),
      env: { ALMA_MAX_RUNS_PER_CONNECTION: "1", ALMA_MESSAGES_PER_MINUTE: "2" },
    });
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

  it("sends server metrics about once a second while subscribed", async () => {
    const { connect } = await start();
    const c = await connect();
    c.send({ type: "metrics.subscribe", enabled: true });
    const m = await c.waitFor("metrics.server");
    expect(m.connections).toBe(1);
    expect(m.rssBytes).toBeGreaterThan(0);
    c.send({ type: "metrics.subscribe", enabled: false });
  });

  it("refuses a message with model_not_ready when no model is ready, naming the fixes", async () => {
    const model = new ScriptedChatModel();
    const unavailable = { ...model.status(), ready: false, state: "unavailable" as const, problem: "no key", setup: ["Set OPENAI_API_KEY"] };
    const { connect } = await start({ model: Object.assign(model, { status: () => unavailable }) });
    const c = await connect();
    expect(c.of("welcome")[0]!.model.ready).toBe(false);
    c.send({ type: "message.send", clientMessageId: "x", content: "hi", options: convo });
    const err = await c.waitFor("error", (e) => e.code === "model_not_ready");
    expect(err.message).toContain("OPENAI_API_KEY");
  });

  it("refuses connections past the maximum with a typed error and close 1013", async () => {
    const { url, connect } = await start({ env: { ALMA_MAX_CONNECTIONS: "1" } });
    await connect();
    const second = await WsTestClient.connect(url, { hello: false });
    clients.push(second);
    expect((await second.waitFor("error")).code).toBe("too_many_connections");
    expect(await second.waitClosed()).toBe(1013);
  });

  it("closes a socket that sends no hello in time (1008)", async () => {
    const { connect } = await start({ env: { ALMA_HANDSHAKE_TIMEOUT_MS: "150" } });
    const c = await connect({ hello: false });
    expect(await c.waitClosed()).toBe(1008);
  });

  it("terminates a socket that stops answering pings, so its runs wait for a resume", async () => {
    const { app, connect } = await start({ env: { ALMA_HEARTBEAT_MS: "100" } });
    const c = await connect();
    expect(app.alma.metrics.connections).toBe(1);
    // a vanished peer: it neither reads nor answers pings
    (c.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    await expect.poll(() => app.alma.metrics.connections, { timeout: 3000 }).toBe(0);
  });

  it("shows a new run to another tab that has the conversation open", async () => {
    const { connect } = await start({ model: new ScriptedChatModel({ reply: "shared answer" }) });
    const a = await connect();
    const b = await connect();
    a.send({ type: "message.send", clientMessageId: "t1", content: "first", options: convo });
    const first = await a.waitFor("message.accepted");
    await a.waitForRunEnd(first.runId!);
    b.send({ type: "conversation.history", requestId: "open", conversationId: first.conversationId });
    await b.waitFor("conversation.history.result");
    a.send({ type: "message.send", clientMessageId: "t2", conversationId: first.conversationId, content: "second", options: convo });
    const second = await a.waitFor("message.accepted", (f) => f.clientMessageId === "t2");
    await b.waitFor("run.completed", (f) => f.runId === second.runId);
    expect(b.of("run.started").map((f) => f.userMessageId)).toEqual([second.userMessageId]);
    expect(b.tokens(second.runId!).map((t) => t.text).join("")).toBe("shared answer");
  });

  it("ends a run at its deadline, keeping the partial answer", async () => {
    const { app, connect } = await start({
      model: new ScriptedChatModel({ reply: LONG, tokensPerSecond: 40 }),
      env: { ALMA_RUN_DEADLINE_MS: "1000" },
    });
    const c = await connect();
    c.send({ type: "message.send", clientMessageId: "dl", content: "go", options: convo });
    const { runId, conversationId } = await c.waitFor("message.accepted");
    const done = await c.waitFor("run.completed", (f) => f.runId === runId, 10_000);
    expect(done.finishReason).toBe("deadline");
    expect(done.metrics.totalMs).toBeLessThan(7000);
    const answer = app.alma.store.listMessages(conversationId).at(-1)!;
    expect(answer).toMatchObject({ status: "stopped", finishReason: "deadline" });
    expect(answer.content).toBe(c.tokens(runId!).map((t) => t.text).join(""));
    expect(answer.content.length).toBeGreaterThan(0);
  });
});
