import { describe, expect, it } from "vitest";
import { ScriptedChatModel } from "@alma/llm";
import { testConfig } from "../testing/test-config.js";
import { useTestResources } from "../testing/use-test-resources.js";

const resources = useTestResources();
const start = () => resources.serve({ config: testConfig(), model: new ScriptedChatModel() });

const convo = { taskType: "conversational" } as const;

describe("conversation and memory frames", () => {
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

  it("an edit of the first message retitles the conversation in every tab when the title was the automatic one", async () => {
    const { app, connect } = await start();
    const a = await connect();
    const b = await connect();
    a.send({ type: "message.send", clientMessageId: "t1", content: "Tell me about otters", options: convo });
    const first = await a.waitFor("message.accepted");
    await a.waitForRunEnd(first.runId!);
    const { conversationId } = first;

    a.send({ type: "message.edit", clientMessageId: "t2", conversationId, messageId: first.userMessageId, content: "Tell me about beavers", options: convo });
    const edited = await a.waitFor("message.accepted", (f) => f.clientMessageId === "t2");
    for (const tab of [a, b]) {
      const updated = await tab.waitFor("conversation.updated", (f) => f.conversation.id === conversationId);
      expect(updated.conversation.title).toBe("Tell me about beavers");
    }
    await a.waitForRunEnd(edited.runId!);
    expect((await app.alma.store.getConversation(conversationId))!.title).toBe("Tell me about beavers");

    // a title the user chose stays through an edit, and nobody is told of a change
    a.send({ type: "conversation.rename", requestId: "rn", conversationId, title: "Rodents" });
    await b.waitFor("conversation.updated", (f) => f.requestId === "rn");
    const before = b.of("conversation.updated").length;
    a.send({ type: "message.edit", clientMessageId: "t3", conversationId, messageId: edited.userMessageId, content: "Tell me about voles", options: convo });
    const third = await a.waitFor("message.accepted", (f) => f.clientMessageId === "t3");
    await a.waitForRunEnd(third.runId!);
    expect((await app.alma.store.getConversation(conversationId))!.title).toBe("Rodents");
    expect(b.of("conversation.updated")).toHaveLength(before);
  });
});
