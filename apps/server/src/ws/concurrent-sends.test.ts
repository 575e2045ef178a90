import { describe, expect, it } from "vitest";
import { ScriptedChatModel } from "@alma/llm";
import { testConfig } from "../testing/test-config.js";
import { useTestResources } from "../testing/use-test-resources.js";

const resources = useTestResources();

// The store is asynchronous: these requests would interleave between their checks and their writes without the
// server's per-conversation and per-clientMessageId ordering.
describe("requests that arrive together", () => {
  it("one clientMessageId sent on two sockets at once, for a new conversation: one conversation, one message, one run", async () => {
    const { app, connect } = await resources.serve({ config: testConfig(), model: new ScriptedChatModel({ reply: "Once.", tokensPerSecond: 500 }) });
    const [a, b] = await Promise.all([connect(), connect()]);
    const frame = {
      type: "message.send",
      conversationId: null,
      clientMessageId: "same-id",
      content: "only once please",
      options: { taskType: "conversational" },
    };
    a.send(frame);
    b.send(frame);
    const [first, second] = await Promise.all([a.waitFor("message.accepted"), b.waitFor("message.accepted")]);
    expect([first.duplicate, second.duplicate].sort()).toEqual([false, true]);
    expect(second.userMessageId).toBe(first.userMessageId);
    expect(second.conversationId).toBe(first.conversationId);
    const original = first.duplicate ? second : first;
    await a.waitFor("run.completed", (f) => f.runId === original.runId);
    expect(await app.alma.store.listConversations()).toHaveLength(1);
    expect((await app.alma.store.listMessages(original.conversationId)).map((m) => [m.role, m.content])).toEqual([
      ["user", "only once please"],
      ["assistant", "Once."],
    ]);
  });

  it("two messages to one conversation at once: one answer runs, the other is refused as a conflict and stores nothing", async () => {
    const { app, connect } = await resources.serve({ config: testConfig(), model: new ScriptedChatModel({ reply: "A long answer.", tokensPerSecond: 20 }) });
    const conversation = await app.alma.store.createConversation("shared");
    const [a, b] = await Promise.all([connect(), connect()]);
    const send = (clientMessageId: string) => ({
      type: "message.send",
      conversationId: conversation.id,
      clientMessageId,
      content: clientMessageId,
      options: { taskType: "conversational" },
    });
    a.send(send("from-a"));
    b.send(send("from-b"));
    const outcomes = await Promise.all(
      [a, b].map((c) => Promise.race([c.waitFor("message.accepted").then(() => "accepted"), c.waitFor("error").then((e) => e.code)])),
    );
    expect(outcomes.sort()).toEqual(["accepted", "conflict"]);
    const users = (await app.alma.store.listMessages(conversation.id)).filter((m) => m.role === "user");
    expect(users).toHaveLength(1);
  });
});
