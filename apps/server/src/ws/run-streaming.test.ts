import { describe, expect, it } from "vitest";
import { ScriptedChatModel } from "@alma/llm";
import type { BuildAppOptions } from "../build-app.js";
import { testConfig } from "../testing/test-config.js";
import { useTestResources } from "../testing/use-test-resources.js";

const resources = useTestResources();
const start = ({ env, ...rest }: Partial<BuildAppOptions> & { env?: Record<string, string> } = {}) =>
  resources.serve({ config: testConfig(env), model: new ScriptedChatModel(), ...rest });

const convo = { taskType: "conversational" } as const;
const LONG = Array.from({ length: 400 }, (_, i) => `word${i}`).join(" ");

describe("a run over the socket: streamed, stopped, deduplicated, edited, regenerated, continued, ended", () => {
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

    const [user, answer] = await app.alma.store.listMessages(accepted.conversationId);
    expect(user).toMatchObject({ role: "user", content: "Hi!", clientMessageId: "m1" });
    expect(answer).toMatchObject({ role: "assistant", status: "complete", content: "Hello there, how are you today?", runId });
    expect(answer!.metrics?.completionTokens).toBe(done.metrics.completionTokens);

    const metrics = await app.inject({ method: "GET", url: "/metrics" });
    expect(metrics.body).toContain('alma_runs_total{outcome="completed"} 1');
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
    expect((await app.alma.store.listMessages(first.conversationId)).filter((m) => m.role === "user")).toHaveLength(1);
    expect(await app.alma.store.listConversations()).toHaveLength(1);
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
    const answer = (await app.alma.store.listMessages(conversationId)).at(-1)!;
    expect(answer.status).toBe("stopped");
    expect(answer.content).toBe(
      c
        .tokens(runId!)
        .map((t) => t.text)
        .join(""),
    );
    expect(answer.content.length).toBeGreaterThan(0);
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
    await expect.poll(async () => (await app.alma.store.listMessages(conversationId)).at(-1)?.status, { timeout: 5000 }).toBe("stopped");
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
    const answer = (await app.alma.store.listMessages(conversationId)).at(-1)!;
    expect(answer).toMatchObject({ status: "stopped", finishReason: "deadline" });
    expect(answer.content).toBe(
      c
        .tokens(runId!)
        .map((t) => t.text)
        .join(""),
    );
    expect(answer.content.length).toBeGreaterThan(0);
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
    expect((await app.alma.store.listMessages(cid)).map((m) => m.content)).toEqual(["edited question", expect.stringMatching(/^answer/)]);

    let mark = c.frames.length;
    c.send({ type: "run.regenerate", conversationId: cid, options: { ...convo, bypassCache: true } });
    const started = await c.waitFor("run.started", () => true, 5000, mark);
    await c.waitForRunEnd(started.runId);
    const after = await app.alma.store.listMessages(cid);
    expect(after).toHaveLength(2);
    expect(after[1]!.runId).toBe(started.runId);

    // a stopped answer can be continued; the new tokens are appended to it
    await app.alma.store.updateAssistantMessage(after[1]!.id, { status: "stopped", content: "partial" });
    mark = c.frames.length;
    c.send({ type: "run.continue", conversationId: cid, messageId: after[1]!.id });
    const cont = await c.waitFor("run.started", () => true, 5000, mark);
    await c.waitForRunEnd(cont.runId);
    const continued = (await app.alma.store.getMessage(after[1]!.id))!;
    expect(continued.status).toBe("complete");
    expect(continued.content.startsWith("partial")).toBe(true);
    expect(continued.runId).toBe(cont.runId);

    // a complete answer is continued only when it was cut at its length limit
    await app.alma.store.updateAssistantMessage(after[1]!.id, { status: "complete", finishReason: "stop" });
    mark = c.frames.length;
    c.send({ type: "run.continue", conversationId: cid, messageId: after[1]!.id });
    expect((await c.waitFor("error", () => true, 5000, mark)).code).toBe("conflict");
    await app.alma.store.updateAssistantMessage(after[1]!.id, { status: "complete", finishReason: "length", content: "cut" });
    mark = c.frames.length;
    c.send({ type: "run.continue", conversationId: cid, messageId: after[1]!.id });
    const lengthCont = await c.waitFor("run.started", () => true, 5000, mark);
    await c.waitForRunEnd(lengthCont.runId);
    expect((await app.alma.store.getMessage(after[1]!.id))!.content.startsWith("cut")).toBe(true);
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
});
