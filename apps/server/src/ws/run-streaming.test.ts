import { expect, it } from "vitest";
import { ScriptedChatModel } from "@alma/llm";
import type { RunEvent } from "@alma/protocol";
import { describeOnEachLiveRunPath, type LiveRunServers } from "../testing/describe-on-each-live-run-path.js";
import type { WsTestClient } from "../testing/ws-test-client.js";

const convo = { taskType: "conversational" } as const;
const LONG = Array.from({ length: 400 }, (_, i) => `word${i}`).join(" ");

/** a viewer of `runId` from its first event, on `server` (on Redis the instance that does not run it) */
async function watchFromStart(server: LiveRunServers["second"], runId: string): Promise<WsTestClient> {
  const v = await server.connect();
  v.send({ type: "run.resume", runId, afterIndex: -1 });
  return v;
}

/** the run's indexed events as `c` received them */
const eventsOf = (c: WsTestClient, runId: string) => c.frames.filter((f): f is RunEvent => "runId" in f && f.runId === runId && "index" in f);

const textOf = (c: WsTestClient, runId: string) =>
  c
    .tokens(runId)
    .map((t) => t.text)
    .join("");

/** runs that ended with `outcome`, summed over `servers`' GET /metrics */
async function runsTotal(servers: Array<LiveRunServers["first"]>, outcome: string): Promise<number> {
  let total = 0;
  for (const { app } of servers) {
    const body = (await app.inject({ method: "GET", url: "/metrics" })).body;
    const line = body.split("\n").find((l) => l.startsWith(`alma_runs_total{outcome="${outcome}"} `));
    expect(line, `alma_runs_total{outcome="${outcome}"}`).toBeDefined();
    total += Number(line!.split(" ").at(-1));
  }
  return total;
}

/** a model whose answer waits for `open()`: a second viewer can join before the first event after run.started */
function gatedModel(reply: string) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const model = new ScriptedChatModel({
    reply: async () => {
      await gate;
      return reply;
    },
  });
  return { model, open };
}

describeOnEachLiveRunPath("a run over the socket: streamed, stopped, deduplicated, edited, regenerated, continued, ended", (path) => {
  it("streams a run: accepted, started, tokens in order without gaps, completed with metrics; stored", async () => {
    const reply = "Hello there, how are you today?";
    const { model, open } = gatedModel(reply);
    const { first, second, servers } = await path.start({ model });
    const { app } = first;
    const c = await first.connect();
    c.send({ type: "message.send", clientMessageId: "m1", content: "Hi!", options: convo });
    const accepted = await c.waitFor("message.accepted");
    expect(accepted.duplicate).toBe(false);
    const runId = accepted.runId!;
    // another viewer (on Redis: another instance, reading the run's stream) from the run's first event
    const b = await watchFromStart(second, runId);
    await b.waitFor("run.started", (f) => f.runId === runId);
    open();
    const done = await c.waitFor("run.completed", (f) => f.runId === runId);
    const bDone = await b.waitFor("run.completed", (f) => f.runId === runId);
    expect(c.invalid).toEqual([]);
    expect(b.invalid).toEqual([]);

    for (const v of [c, b]) {
      const events = eventsOf(v, runId);
      expect(events.map((e) => e.index)).toEqual(events.map((_, i) => i));
      expect(events[0]!.type).toBe("run.started");
      const tokens = v.tokens(runId);
      expect(tokens.map((t) => t.seq)).toEqual(tokens.map((_, i) => i));
      expect(textOf(v, runId)).toBe(reply);
    }
    expect(eventsOf(b, runId)).toEqual(eventsOf(c, runId));
    expect(bDone).toEqual(done);

    expect(done.finishReason).toBe("stop");
    expect(done.metrics.firstTokenMs).not.toBeNull();
    expect(done.metrics.requestBuiltMs).not.toBeNull();
    expect(done.metrics.upstreamStartedMs).not.toBeNull();
    expect(done.metrics.completionTokens).toBeGreaterThan(0);
    expect(done.metrics.context?.promptTokens).toBeGreaterThan(0);

    const [user, answer] = await app.alma.store.listMessages(accepted.conversationId);
    expect(user).toMatchObject({ role: "user", content: "Hi!", clientMessageId: "m1" });
    expect(answer).toMatchObject({ role: "assistant", status: "complete", content: reply, runId });
    expect(answer!.metrics?.completionTokens).toBe(done.metrics.completionTokens);

    // counted once, by the server that ran it (a viewer's instance counts nothing)
    expect(await runsTotal([first], "completed")).toBe(1);
    expect(await runsTotal(servers, "completed")).toBe(1);
  });

  it("does not store a resent clientMessageId twice", async () => {
    const { model, open } = gatedModel("an answer to a resent message");
    const { first, second } = await path.start({ model });
    const { app } = first;
    const c = await first.connect();
    c.send({ type: "message.send", clientMessageId: "dup-1", content: "once", options: convo });
    const firstAccepted = await c.waitFor("message.accepted");
    const runId = firstAccepted.runId!;
    // the resends come from a client that lost its socket and reconnected (on Redis, to the other instance)
    const r = await second.connect();
    // while the answer runs: acknowledged with its run, which the client then watches from its first event
    r.send({ type: "message.send", clientMessageId: "dup-1", content: "once", options: convo });
    const live = await r.waitFor("message.accepted", (f) => f.duplicate);
    expect(live).toMatchObject({ conversationId: firstAccepted.conversationId, userMessageId: firstAccepted.userMessageId, runId });
    await r.waitFor("run.started", (f) => f.runId === runId);
    open();
    await c.waitForRunEnd(runId);
    await r.waitForRunEnd(runId);
    expect(eventsOf(r, runId)).toEqual(eventsOf(c, runId));

    // once it ended: acknowledged without a run
    r.send({ type: "message.send", clientMessageId: "dup-1", content: "once", options: convo });
    const resent = await r.waitFor("message.accepted", (f) => f.duplicate, 5000, r.frames.indexOf(live) + 1);
    expect(resent).toMatchObject({ conversationId: firstAccepted.conversationId, userMessageId: firstAccepted.userMessageId, runId: null });
    r.send({ type: "message.send", clientMessageId: "dup-1", conversationId: firstAccepted.conversationId, content: "once", options: convo });
    await r.waitFor("message.accepted", (f) => f.duplicate, 5000, r.frames.indexOf(resent) + 1);
    expect((await app.alma.store.listMessages(firstAccepted.conversationId)).filter((m) => m.role === "user")).toHaveLength(1);
    expect(await app.alma.store.listConversations()).toHaveLength(1);
  });

  it("stops a run within one token and keeps the partial answer as stopped", async () => {
    const { first, second } = await path.start({ model: new ScriptedChatModel({ reply: LONG, tokensPerSecond: 100 }) });
    const { app } = first;
    const c = await first.connect();
    c.send({ type: "message.send", clientMessageId: "s1", content: "go", options: convo });
    const { runId, conversationId } = await c.waitFor("message.accepted");
    // Stop is pressed by another viewer (on Redis: on the instance that does not run the answer)
    const b = await watchFromStart(second, runId!);
    await b.waitFor("run.token", (t) => t.runId === runId && t.seq === 3);
    b.send({ type: "run.stop", runId: runId! });
    const sentAt = c.tokens(runId!).length;
    const done = await c.waitFor("run.completed", (f) => f.runId === runId);
    expect(done.finishReason).toBe("stopped");
    expect(c.tokens(runId!).length).toBeLessThanOrEqual(sentAt + 1);
    expect(await b.waitFor("run.completed", (f) => f.runId === runId)).toEqual(done);
    expect(b.of("error")).toEqual([]);
    const answer = (await app.alma.store.listMessages(conversationId)).at(-1)!;
    expect(answer.status).toBe("stopped");
    expect(answer.content).toBe(textOf(c, runId!));
    expect(textOf(b, runId!)).toBe(answer.content);
    expect(answer.content.length).toBeGreaterThan(0);
  });

  it("stops a run whose viewers all left once the grace period passes", async () => {
    const { first, second } = await path.start({
      model: new ScriptedChatModel({ reply: LONG, tokensPerSecond: 50 }),
      env: { ALMA_RESUME_GRACE_MS: "200" },
    });
    const { app } = first;
    const c = await first.connect();
    c.send({ type: "message.send", clientMessageId: "g1", content: "go", options: convo });
    const { runId, conversationId } = await c.waitFor("message.accepted");
    const b = await watchFromStart(second, runId!);
    await c.waitFor("run.token");
    await b.waitFor("run.token");
    c.terminate();
    b.terminate();
    await expect.poll(async () => (await app.alma.store.listMessages(conversationId)).at(-1)?.status, { timeout: 5000 }).toBe("stopped");
  });

  it("keeps a run going past the grace period while a viewer elsewhere still reads it (a reload that landed on the other instance)", async () => {
    const words = Array.from({ length: 100 }, (_, i) => `word${i}`).join(" ");
    const { first, second } = await path.start({
      model: new ScriptedChatModel({ reply: words, tokensPerSecond: 50 }),
      env: { ALMA_RESUME_GRACE_MS: "200" },
    });
    const { app } = first;
    const c = await first.connect();
    c.send({ type: "message.send", clientMessageId: "kg1", content: "go", options: convo });
    const { runId, conversationId } = await c.waitFor("message.accepted");
    const b = await watchFromStart(second, runId!);
    await b.waitFor("run.token", (t) => t.runId === runId);
    // the tab that sent it reloads onto the other viewer's side: its socket here closes for good
    c.terminate();
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(b.of("run.completed")).toEqual([]);
    expect((await app.alma.store.listMessages(conversationId)).at(-1)?.status).toBe("streaming");
    const done = await b.waitFor("run.completed", (f) => f.runId === runId, 15_000);
    expect(done.finishReason).toBe("stop");
    expect(textOf(b, runId!)).toBe(words);
  });

  it("ends a run at its deadline, keeping the partial answer", async () => {
    const { first, second } = await path.start({
      model: new ScriptedChatModel({ reply: LONG, tokensPerSecond: 40 }),
      env: { ALMA_RUN_DEADLINE_MS: "1000" },
    });
    const { app } = first;
    const c = await first.connect();
    c.send({ type: "message.send", clientMessageId: "dl", content: "go", options: convo });
    const { runId, conversationId } = await c.waitFor("message.accepted");
    const b = await watchFromStart(second, runId!);
    const done = await c.waitFor("run.completed", (f) => f.runId === runId, 10_000);
    expect(done.finishReason).toBe("deadline");
    expect(done.metrics.totalMs).toBeLessThan(7000);
    expect(await b.waitFor("run.completed", (f) => f.runId === runId, 10_000)).toEqual(done);
    const answer = (await app.alma.store.listMessages(conversationId)).at(-1)!;
    expect(answer).toMatchObject({ status: "stopped", finishReason: "deadline" });
    expect(answer.content).toBe(textOf(c, runId!));
    expect(textOf(b, runId!)).toBe(answer.content);
    expect(answer.content.length).toBeGreaterThan(0);
  });

  it("edits a message (truncating after it), regenerates and continues", async () => {
    let n = 0;
    const { first, second, servers } = await path.start({ model: new ScriptedChatModel({ reply: () => `answer ${++n}` }) });
    const { app } = first;
    const c = await first.connect();
    c.send({ type: "message.send", clientMessageId: "e1", content: "first question", options: convo });
    const firstAccepted = await c.waitFor("message.accepted");
    await c.waitForRunEnd(firstAccepted.runId!);
    const cid = firstAccepted.conversationId;

    c.send({
      type: "message.edit",
      clientMessageId: "e2",
      conversationId: cid,
      messageId: firstAccepted.userMessageId,
      content: "edited question",
      options: convo,
    });
    const edited = await c.waitFor("message.accepted", (f) => f.clientMessageId === "e2");
    await c.waitForRunEnd(edited.runId!);
    expect((await app.alma.store.listMessages(cid)).map((m) => m.content)).toEqual(["edited question", expect.stringMatching(/^answer/)]);

    // the regenerate and the continues come from another tab (on Redis, the other instance runs those answers)
    const t = await second.connect();
    let mark = t.frames.length;
    t.send({ type: "run.regenerate", conversationId: cid, options: { ...convo, bypassCache: true } });
    const started = await t.waitFor("run.started", () => true, 5000, mark);
    await t.waitForRunEnd(started.runId);
    const after = await app.alma.store.listMessages(cid);
    expect(after).toHaveLength(2);
    expect(after[1]!.runId).toBe(started.runId);

    // a stopped answer can be continued; the new tokens are appended to it
    await app.alma.store.updateAssistantMessage(after[1]!.id, { status: "stopped", content: "partial" });
    mark = t.frames.length;
    t.send({ type: "run.continue", conversationId: cid, messageId: after[1]!.id });
    const cont = await t.waitFor("run.started", () => true, 5000, mark);
    await t.waitForRunEnd(cont.runId);
    const continued = (await app.alma.store.getMessage(after[1]!.id))!;
    expect(continued.status).toBe("complete");
    expect(continued.content.startsWith("partial")).toBe(true);
    expect(continued.runId).toBe(cont.runId);

    // a complete answer is continued only when it was cut at its length limit
    await app.alma.store.updateAssistantMessage(after[1]!.id, { status: "complete", finishReason: "stop" });
    mark = t.frames.length;
    t.send({ type: "run.continue", conversationId: cid, messageId: after[1]!.id });
    expect((await t.waitFor("error", () => true, 5000, mark)).code).toBe("conflict");
    await app.alma.store.updateAssistantMessage(after[1]!.id, { status: "complete", finishReason: "length", content: "cut" });
    mark = t.frames.length;
    t.send({ type: "run.continue", conversationId: cid, messageId: after[1]!.id });
    const lengthCont = await t.waitFor("run.started", () => true, 5000, mark);
    await t.waitForRunEnd(lengthCont.runId);
    expect((await app.alma.store.getMessage(after[1]!.id))!.content.startsWith("cut")).toBe(true);
    // five answers (send, edit, regenerate, two continues), each counted once over the instances
    expect(await runsTotal(servers, "completed")).toBe(5);
  });

  it("refuses a message with model_not_ready when no model is ready, naming the fixes", async () => {
    const model = new ScriptedChatModel();
    const unavailable = { ...model.status(), ready: false, state: "unavailable" as const, problem: "no key", setup: ["Set OPENAI_API_KEY"] };
    const { servers } = await path.start({ model: Object.assign(model, { status: () => unavailable }) });
    // every instance tells it, in the welcome and on a send
    for (const server of servers) {
      const c = await server.connect();
      expect(c.of("welcome")[0]!.model.ready).toBe(false);
      c.send({ type: "message.send", clientMessageId: "x", content: "hi", options: convo });
      const err = await c.waitFor("error", (e) => e.code === "model_not_ready");
      expect(err.message).toContain("OPENAI_API_KEY");
    }
  });
});
