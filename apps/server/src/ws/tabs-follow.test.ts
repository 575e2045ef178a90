import { describe, expect, it } from "vitest";
import { ScriptedChatModel } from "@alma/llm";
import { testConfig } from "../testing/test-config.js";
import { useTestResources } from "../testing/use-test-resources.js";

const resources = useTestResources();
const serve = () => resources.serve({ config: testConfig(), model: new ScriptedChatModel({ reply: "an answer in a few words", tokensPerSecond: 200 }) });

describe("a tab left open on a conversation while another tab writes in it", () => {
  it("is told of each new message, in place (after the message it follows), before its answer streams", async () => {
    const { app, connect } = await serve();
    const a = await connect();
    a.send({ type: "message.send", clientMessageId: "m1", content: "first", options: { taskType: "conversational" } });
    const first = await a.waitFor("message.accepted");
    await a.waitForRunEnd(first.runId!);
    const b = await connect();
    b.send({ type: "conversation.history", requestId: "h", conversationId: first.conversationId });
    await b.waitFor("conversation.history.result");
    const before = app.alma.store.listMessages(first.conversationId);

    a.send({ type: "message.send", clientMessageId: "m2", conversationId: first.conversationId, content: "second", options: { taskType: "conversational" } });
    const second = await a.waitFor("message.accepted", (f) => f.clientMessageId === "m2");
    await b.waitForRunEnd(second.runId!);
    const added = await b.waitFor("message.added");
    expect(added).toMatchObject({ conversationId: first.conversationId, after: before.at(-1)!.id, message: { id: second.userMessageId, content: "second", role: "user" } });
    const iAdded = b.frames.indexOf(added);
    const iStarted = b.frames.findIndex((f) => f.type === "run.started" && f.runId === second.runId);
    expect(iAdded).toBeLessThan(iStarted);
    // the tab that sent it is not told again
    expect(a.of("message.added")).toEqual([]);

    // an edit of the first message: the others are told what it follows (nothing), so they drop what came after
    a.send({ type: "message.edit", clientMessageId: "m3", conversationId: first.conversationId, messageId: first.userMessageId, content: "first, edited", options: { taskType: "conversational" } });
    const edited = await a.waitFor("message.accepted", (f) => f.clientMessageId === "m3");
    await b.waitForRunEnd(edited.runId!);
    expect(b.of("message.added").at(-1)).toMatchObject({ after: null, message: { content: "first, edited" } });
  });
});
