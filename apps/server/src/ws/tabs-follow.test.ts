import { expect, it } from "vitest";
import { ScriptedChatModel } from "@alma/llm";
import { describeOnEachLiveRunPath } from "../testing/describe-on-each-live-run-path.js";

const convo = { taskType: "conversational" } as const;
const LONG = Array.from({ length: 400 }, (_, i) => `word${i}`).join(" ");

describeOnEachLiveRunPath("a tab left open on a conversation while another tab writes in it", (path) => {
  // the writing tab is on the first server; the other tab, and the reconnect, on the second (another instance on Redis)
  const serve = (model = new ScriptedChatModel({ reply: "an answer in a few words", tokensPerSecond: 200 })) => path.start({ model });

  it("is told of each new message, in place (after the message it follows), before its answer streams", async () => {
    const { first: writer, second: other } = await serve();
    const { app } = writer;
    const a = await writer.connect();
    a.send({ type: "message.send", clientMessageId: "m1", content: "first", options: { taskType: "conversational" } });
    const first = await a.waitFor("message.accepted");
    await a.waitForRunEnd(first.runId!);
    const b = await other.connect();
    b.send({ type: "conversation.history", requestId: "h", conversationId: first.conversationId });
    await b.waitFor("conversation.history.result");
    const before = await app.alma.store.listMessages(first.conversationId);

    a.send({ type: "message.send", clientMessageId: "m2", conversationId: first.conversationId, content: "second", options: { taskType: "conversational" } });
    const second = await a.waitFor("message.accepted", (f) => f.clientMessageId === "m2");
    await b.waitForRunEnd(second.runId!);
    const added = await b.waitFor("message.added");
    expect(added).toMatchObject({
      conversationId: first.conversationId,
      after: before.at(-1)!.id,
      message: { id: second.userMessageId, content: "second", role: "user" },
    });
    const iAdded = b.frames.indexOf(added);
    const iStarted = b.frames.findIndex((f) => f.type === "run.started" && f.runId === second.runId);
    expect(iAdded).toBeLessThan(iStarted);
    // the tab that sent it is not told again
    expect(a.of("message.added")).toEqual([]);

    // an edit of the first message: the others are told what it follows (nothing), so they drop what came after
    a.send({
      type: "message.edit",
      clientMessageId: "m3",
      conversationId: first.conversationId,
      messageId: first.userMessageId,
      content: "first, edited",
      options: { taskType: "conversational" },
    });
    const edited = await a.waitFor("message.accepted", (f) => f.clientMessageId === "m3");
    await b.waitForRunEnd(edited.runId!);
    expect(b.of("message.added").at(-1)).toMatchObject({ after: null, message: { content: "first, edited" } });
  });

  it("shows a run to every tab on the conversation and resumes after a reconnect without gaps", async () => {
    const { first: writer, second: other } = await serve(new ScriptedChatModel({ reply: LONG, tokensPerSecond: 200 }));
    const { app } = writer;
    const a = await writer.connect();
    a.send({ type: "message.send", clientMessageId: "r1", content: "go", options: convo });
    const { runId, conversationId } = await a.waitFor("message.accepted");
    await a.waitFor("run.token", (t) => t.runId === runId && t.seq === 5);

    // a second tab opens the conversation and joins the live run from the start
    const b = await other.connect();
    b.send({ type: "conversation.history", requestId: "h", conversationId });
    const history = await b.waitFor("conversation.history.result");
    expect(history.activeRun?.runId).toBe(runId);
    b.send({ type: "run.resume", runId: runId!, afterIndex: -1 });

    // the first tab drops, then comes back and resumes from the last index it has
    await a.waitFor("run.token", (t) => t.runId === runId && t.seq === 15);
    a.terminate();
    const lastIndex = Math.max(...a.frames.filter((f) => "index" in f && f.runId === runId).map((f) => (f as { index: number }).index));
    await new Promise((r) => setTimeout(r, 150));
    const a2 = await other.connect();
    a2.send({ type: "run.resume", runId: runId!, afterIndex: lastIndex });
    await a2.waitForRunEnd(runId!);
    await b.waitForRunEnd(runId!);

    const joined = [...a.tokens(runId!).filter((t) => t.index <= lastIndex), ...a2.tokens(runId!)];
    expect(joined.map((t) => t.seq)).toEqual(joined.map((_, i) => i));
    const text = joined.map((t) => t.text).join("");
    expect(text.length).toBeGreaterThan(100);
    expect(LONG.startsWith(text)).toBe(true);
    expect(
      b
        .tokens(runId!)
        .map((t) => t.text)
        .join(""),
    ).toBe(text);
    expect((await app.alma.store.listMessages(conversationId)).at(-1)!.content).toBe(text);
  });

  it("shows a new run to another tab that has the conversation open", async () => {
    const { first: writer, second: other } = await serve(new ScriptedChatModel({ reply: "shared answer" }));
    const a = await writer.connect();
    const b = await other.connect();
    a.send({ type: "message.send", clientMessageId: "t1", content: "first", options: convo });
    const first = await a.waitFor("message.accepted");
    await a.waitForRunEnd(first.runId!);
    b.send({ type: "conversation.history", requestId: "open", conversationId: first.conversationId });
    await b.waitFor("conversation.history.result");
    a.send({ type: "message.send", clientMessageId: "t2", conversationId: first.conversationId, content: "second", options: convo });
    const second = await a.waitFor("message.accepted", (f) => f.clientMessageId === "t2");
    await b.waitFor("run.completed", (f) => f.runId === second.runId);
    expect(b.of("run.started").map((f) => f.userMessageId)).toEqual([second.userMessageId]);
    expect(
      b
        .tokens(second.runId!)
        .map((t) => t.text)
        .join(""),
    ).toBe("shared answer");
  });
});
