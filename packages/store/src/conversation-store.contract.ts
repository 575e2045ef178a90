import { afterEach, describe, expect, it } from "vitest";
import { describeAssistantAppendContract } from "./assistant-append.contract.js";
import { describeAttachmentStoreContract } from "./attachment-store.contract.js";
import type { ConversationStore } from "./conversation-store.js";
import { StoreError } from "./store-error.js";

/** A fresh, empty store: the backend under test (SQLite today, PostgreSQL next) behind the one contract. */
export type StoreFactory = (options?: { now?: () => number; undoWindowMs?: number }) => Promise<ConversationStore>;

export const metrics = {
  receivedAt: 1,
  requestBuiltMs: 1,
  upstreamStartedMs: 2,
  firstTokenMs: 3,
  lastTokenMs: 4,
  totalMs: 5,
  tokensPerSecond: 10,
  promptTokens: 7,
  completionTokens: 3,
  cacheHit: false,
  retries: 0,
  provider: "scripted",
  model: "m",
  steps: [],
  context: null,
};

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * What every ConversationStore does, whatever holds the data: each backend's test file runs this suite over its
 * own factory (stores it makes are closed after each test).
 */
export function describeConversationStoreContract(name: string, makeStore: StoreFactory): void {
  const made: ConversationStore[] = [];
  const make: StoreFactory = async (options) => {
    const store = await makeStore(options);
    made.push(store);
    return store;
  };
  afterEach(async () => {
    for (const s of made.splice(0)) await s.close();
  });

  describe(`${name}: the ConversationStore contract`, () => {
    it("gives every conversation, message and pinned fact an unguessable id (UUID v4)", async () => {
      const s = await make();
      const ids = new Set<string>();
      for (let i = 0; i < 50; i++) {
        const c = await s.createConversation("");
        const { message } = await s.addUserMessage({ conversationId: c.id, clientMessageId: `c${i}`, content: "hi" });
        const answer = await s.addAssistantMessage({ conversationId: c.id, runId: `r${i}`, taskType: null });
        const fact = await s.pinFact({ conversationId: c.id, text: "a fact", messageId: null });
        for (const id of [c.id, message.id, answer.id, fact.id]) {
          expect(id).toMatch(UUID_V4);
          ids.add(id);
        }
      }
      expect(ids.size).toBe(200);
    });

    it("creates conversations with unguessable ids and titles them from the first user message", async () => {
      const s = await make();
      const c = await s.createConversation("");
      expect(c.id).toMatch(/^[0-9a-f-]{36}$/);
      await s.addUserMessage({
        conversationId: c.id,
        clientMessageId: "c1",
        content: "Explain how a write-ahead log keeps a database consistent after a crash, please",
      });
      const title = (await s.getConversation(c.id))!.title;
      expect(title.length).toBeLessThanOrEqual(61);
      expect(title).toMatch(/^Explain how a write-ahead log/);
      expect(title.endsWith("…")).toBe(true);
      await s.addUserMessage({ conversationId: c.id, clientMessageId: "c2", content: "second" });
      expect((await s.getConversation(c.id))!.title).toBe(title);
    });

    it("does not store a resent clientMessageId twice", async () => {
      const s = await make();
      const c = await s.createConversation("t");
      const a = await s.addUserMessage({ conversationId: c.id, clientMessageId: "same", content: "hi" });
      const b = await s.addUserMessage({ conversationId: c.id, clientMessageId: "same", content: "hi" });
      expect(a.duplicate).toBe(false);
      expect(b).toEqual({ message: a.message, duplicate: true });
      expect(await s.listMessages(c.id)).toHaveLength(1);
      expect((await s.findUserMessageByClientId("same"))?.id).toBe(a.message.id);
      expect(await s.findUserMessageByClientId("other")).toBeNull();
    });

    it("stores one message when the same clientMessageId is added twice at once", async () => {
      const s = await make();
      const c = await s.createConversation("");
      const results = await Promise.all(
        [1, 2, 3].map(() => s.addUserMessage({ conversationId: c.id, clientMessageId: "raced", content: "the first question" })),
      );
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
      expect((await s.listMessages(c.id)).map((m) => m.content)).toEqual(["the first question"]);
      expect((await s.getConversation(c.id))!.title).toBe("the first question");
    });

    it("refuses messages for a missing conversation", async () => {
      const s = await make();
      await expect(s.addUserMessage({ conversationId: "nope", clientMessageId: "c", content: "x" })).rejects.toThrow(StoreError);
    });

    it("adds an answer only to a conversation that exists and is not deleted, and touches it", async () => {
      let t = 5_000;
      const s = await make({ now: () => t });
      const c = await s.createConversation("t");
      t = 6_000;
      const a = await s.addAssistantMessage({ conversationId: c.id, runId: "r1", taskType: "analytical" });
      expect(a).toMatchObject({
        conversationId: c.id,
        role: "assistant",
        content: "",
        status: "streaming",
        runId: "r1",
        taskType: "analytical",
        createdAt: 6_000,
      });
      expect(await s.getMessage(a.id)).toEqual(a);
      expect((await s.getConversation(c.id))!.updatedAt).toBe(6_000);
      await expect(s.addAssistantMessage({ conversationId: "2a0a3c5e-0000-4000-8000-000000000000", runId: "r2", taskType: null })).rejects.toMatchObject({
        code: "not_found",
      });
      await s.deleteConversation(c.id);
      await expect(s.addAssistantMessage({ conversationId: c.id, runId: "r3", taskType: null })).rejects.toMatchObject({ code: "not_found" });
    });

    it("stores every assistant field, JSON included, and keeps partial updates", async () => {
      const s = await make();
      const c = await s.createConversation("t");
      const a = await s.addAssistantMessage({ conversationId: c.id, runId: "r1", taskType: "conversational" });
      expect(a.status).toBe("streaming");
      await s.updateAssistantMessage(a.id, { content: "par" });
      await s.updateAssistantMessage(a.id, {
        content: "partial answer",
        status: "complete",
        finishReason: "stop",
        usage: { promptTokens: 7, completionTokens: 3, reported: true },
        metrics,
        steps: [{ id: "s1", title: "T", agent: "w", dependsOn: [], text: "x", status: "complete" }],
      });
      const m = (await s.getMessage(a.id))!;
      expect(m).toMatchObject({
        content: "partial answer",
        status: "complete",
        runId: "r1",
        taskType: "conversational",
        usage: { promptTokens: 7, completionTokens: 3, reported: true },
        metrics,
        error: null,
      });
      expect(m.steps?.[0]?.id).toBe("s1");
      await s.updateAssistantMessage(a.id, { error: { code: "internal", message: "x" }, steps: null, runId: "r2" });
      expect(await s.getMessage(a.id)).toMatchObject({ error: { code: "internal", message: "x" }, steps: null, content: "partial answer", runId: "r2" });
    });

    it("lists a conversation's messages for a model request: id, role, content and status only, in order", async () => {
      const s = await make();
      const c = await s.createConversation("t");
      const other = await s.createConversation("other");
      const u1 = (await s.addUserMessage({ conversationId: c.id, clientMessageId: "1", content: "first question" })).message;
      await s.addUserMessage({ conversationId: other.id, clientMessageId: "x", content: "elsewhere" });
      const a1 = await s.addAssistantMessage({ conversationId: c.id, runId: "r1", taskType: "conversational" });
      await s.updateAssistantMessage(a1.id, {
        content: "an answer",
        status: "complete",
        metrics,
        usage: { promptTokens: 7, completionTokens: 3, reported: true },
      });
      const u2 = (await s.addUserMessage({ conversationId: c.id, clientMessageId: "2", content: "second question" })).message;
      const a2 = await s.addAssistantMessage({ conversationId: c.id, runId: "r2", taskType: null });

      const rows = await s.listContextMessages(c.id);
      expect(rows).toEqual([
        { id: u1.id, role: "user", content: "first question", status: "complete" },
        { id: a1.id, role: "assistant", content: "an answer", status: "complete" },
        { id: u2.id, role: "user", content: "second question", status: "complete" },
        { id: a2.id, role: "assistant", content: "", status: "streaming" },
      ]);
      // the same messages, in the same order, as the full listing
      expect(rows.map((r) => r.id)).toEqual((await s.listMessages(c.id)).map((m) => m.id));
      expect(await s.listContextMessages("no-such-conversation")).toEqual([]);
    });

    it("truncates after a message, inclusive or not, in insertion order", async () => {
      const s = await make();
      const c = await s.createConversation("t");
      const u1 = (await s.addUserMessage({ conversationId: c.id, clientMessageId: "1", content: "one" })).message;
      const a1 = await s.addAssistantMessage({ conversationId: c.id, runId: "r", taskType: null });
      await s.addUserMessage({ conversationId: c.id, clientMessageId: "2", content: "two" });
      await s.addAssistantMessage({ conversationId: c.id, runId: "r2", taskType: null });
      expect(await s.truncateAfter(c.id, a1.id, false)).toBe(2);
      expect((await s.listMessages(c.id)).map((m) => m.id)).toEqual([u1.id, a1.id]);
      expect(await s.truncateAfter(c.id, u1.id, true)).toBe(2);
      expect(await s.listMessages(c.id)).toEqual([]);
      // the freed clientMessageId can be used again after an edit removed it
      expect((await s.addUserMessage({ conversationId: c.id, clientMessageId: "1", content: "one again" })).duplicate).toBe(false);
    });

    it("an edit of the first question retitles a conversation whose title came from it, and keeps a title the user chose", async () => {
      const s = await make();
      const c = await s.createConversation("");
      const first = (await s.addUserMessage({ conversationId: c.id, clientMessageId: "u1", content: "What is a monad?" })).message;
      await s.addAssistantMessage({ conversationId: c.id, runId: "r1", taskType: null });
      const second = (await s.addUserMessage({ conversationId: c.id, clientMessageId: "u2", content: "And a functor?" })).message;

      // a later question edited: the title stays
      const later = await s.replaceUserMessage({ conversationId: c.id, messageId: second.id, clientMessageId: "u3", content: "And an applicative?" });
      expect(later.retitled).toBeNull();
      expect((await s.getConversation(c.id))!.title).toBe("What is a monad?");

      // the first question edited: the automatic title follows the new text, and everything after it is gone
      const edited = await s.replaceUserMessage({ conversationId: c.id, messageId: first.id, clientMessageId: "u4", content: "Explain   monoids\nbriefly" });
      expect(edited.retitled).toMatchObject({ id: c.id, title: "Explain monoids briefly" });
      expect((await s.getConversation(c.id))!.title).toBe("Explain monoids briefly");
      expect((await s.listMessages(c.id)).map((m) => m.content)).toEqual(["Explain   monoids\nbriefly"]);
      // and again, from the title it was given last
      const again = await s.replaceUserMessage({ conversationId: c.id, messageId: edited.message.id, clientMessageId: "u5", content: "Monads, please" });
      expect(again.retitled?.title).toBe("Monads, please");

      // a title the user chose is theirs
      await s.renameConversation(c.id, "Category theory");
      const renamed = await s.replaceUserMessage({ conversationId: c.id, messageId: again.message.id, clientMessageId: "u6", content: "Functors" });
      expect(renamed.retitled).toBeNull();
      expect((await s.getConversation(c.id))!.title).toBe("Category theory");

      await expect(s.replaceUserMessage({ conversationId: c.id, messageId: "nope", clientMessageId: "u7", content: "x" })).rejects.toThrow(StoreError);
    });

    it("marks streaming answers interrupted", async () => {
      const s = await make();
      const c = await s.createConversation("t");
      const a = await s.addAssistantMessage({ conversationId: c.id, runId: "r", taskType: null });
      await s.updateAssistantMessage(a.id, { content: "half" });
      expect(await s.markStreamingInterrupted()).toBe(1);
      expect(await s.getMessage(a.id)).toMatchObject({ status: "interrupted", content: "half", finishReason: "interrupted" });
      expect(await s.markStreamingInterrupted()).toBe(0);
    });

    it("lists newest first and searches titles and content with a snippet", async () => {
      let t = 1000;
      const s = await make({ now: () => t++ });
      const a = await s.createConversation("Rust lifetimes");
      const b = await s.createConversation("Cooking");
      await s.addUserMessage({ conversationId: b.id, clientMessageId: "x", content: "How long should I boil an egg for a soft yolk?" });
      const list = await s.listConversations();
      expect(list.map((c) => c.id)).toEqual([b.id, a.id]);
      expect(list[0]!.snippet).toContain("boil an egg");
      expect((await s.listConversations("rust")).map((c) => c.id)).toEqual([a.id]);
      const hit = await s.listConversations("SOFT yolk");
      expect(hit.map((c) => c.id)).toEqual([b.id]);
      expect(hit[0]!.snippet).toContain("soft yolk");
      expect(await s.listConversations("100%")).toEqual([]);
      expect(await s.listConversations("_")).toEqual([]);
    });

    it("soft-deletes with an undo window, then purges", async () => {
      let t = 10_000;
      const s = await make({ now: () => t, undoWindowMs: 5000 });
      const c = await s.createConversation("keep me");
      await s.addUserMessage({ conversationId: c.id, clientMessageId: "m", content: "hello" });
      expect(await s.deleteConversation(c.id)).toEqual({ restorableUntil: 15_000 });
      expect(await s.getConversation(c.id)).toBeNull();
      expect(await s.listConversations()).toEqual([]);
      expect(await s.deleteConversation(c.id)).toBeNull();
      expect((await s.restoreConversation(c.id))?.title).toBe("keep me");
      expect(await s.listMessages(c.id)).toHaveLength(1);
      await s.deleteConversation(c.id);
      t = 15_001;
      expect(await s.restoreConversation(c.id)).toBeNull();
      expect(await s.purgeDeleted()).toBe(1);
      expect(await s.listMessages(c.id)).toEqual([]);
    });

    it("a rename keeps the conversation's place in the list (it is not new activity)", async () => {
      let t = 1_000;
      const s = await make({ now: () => t++ });
      const older = await s.createConversation("older");
      const newer = await s.createConversation("newer");
      expect((await s.listConversations()).map((c) => c.id)).toEqual([newer.id, older.id]);
      const renamed = await s.renameConversation(older.id, "Older, renamed");
      expect(renamed).toMatchObject({ title: "Older, renamed", updatedAt: older.updatedAt });
      expect((await s.listConversations()).map((c) => c.id)).toEqual([newer.id, older.id]);
    });

    it("renames, keeps summaries and pins facts", async () => {
      const s = await make();
      const c = await s.createConversation("a");
      expect((await s.renameConversation(c.id, "b"))?.title).toBe("b");
      expect(await s.renameConversation("missing", "b")).toBeNull();
      await s.updateSummary(c.id, "they talked", 4);
      expect(await s.getConversation(c.id)).toMatchObject({ summary: "they talked", summarizedCount: 4 });
      const m = (await s.addUserMessage({ conversationId: c.id, clientMessageId: "m", content: "my name is Ada" })).message;
      const f1 = await s.pinFact({ conversationId: c.id, text: "name: Ada", messageId: m.id });
      const f2 = await s.pinFact({ conversationId: c.id, text: "likes tea", messageId: null });
      expect((await s.getMessage(m.id))?.pinned).toBe(true);
      expect((await s.listPinnedFacts(c.id)).map((f) => f.id)).toEqual([f1.id, f2.id]);
      expect(await s.unpinFact(c.id, f1.id)).toBe(true);
      expect(await s.unpinFact(c.id, f1.id)).toBe(false);
      expect((await s.getMessage(m.id))?.pinned).toBe(false);
      expect(await s.listPinnedFacts(c.id)).toHaveLength(1);
    });
  });

  describeAttachmentStoreContract(name, make);
  describeAssistantAppendContract(name, make);
}
