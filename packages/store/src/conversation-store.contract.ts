import { afterEach, describe, expect, it } from "vitest";
import { describeAttachmentStoreContract } from "./attachment-store.contract.js";
import type { ConversationStore } from "./conversation-store.js";
import { StoreError } from "./store-error.js";

/** A fresh, empty store: the backend under test (SQLite today, PostgreSQL next) behind the one contract. */
export type StoreFactory = (options?: { now?: () => number; undoWindowMs?: number }) => ConversationStore;

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
  const make: StoreFactory = (options) => {
    const store = makeStore(options);
    made.push(store);
    return store;
  };
  afterEach(() => {
    for (const s of made.splice(0)) s.close();
  });

  describe(`${name}: the ConversationStore contract`, () => {
    it("gives every conversation, message and pinned fact an unguessable id (UUID v4)", () => {
      const s = make();
      const ids = new Set<string>();
      for (let i = 0; i < 50; i++) {
        const c = s.createConversation("");
        const { message } = s.addUserMessage({ conversationId: c.id, clientMessageId: `c${i}`, content: "hi" });
        const answer = s.addAssistantMessage({ conversationId: c.id, runId: `r${i}`, taskType: null });
        const fact = s.pinFact({ conversationId: c.id, text: "a fact", messageId: null });
        for (const id of [c.id, message.id, answer.id, fact.id]) {
          expect(id).toMatch(UUID_V4);
          ids.add(id);
        }
      }
      expect(ids.size).toBe(200);
    });

    it("creates conversations with unguessable ids and titles them from the first user message", () => {
      const s = make();
      const c = s.createConversation("");
      expect(c.id).toMatch(/^[0-9a-f-]{36}$/);
      s.addUserMessage({
        conversationId: c.id,
        clientMessageId: "c1",
        content: "Explain how a write-ahead log keeps a database consistent after a crash, please",
      });
      const title = s.getConversation(c.id)!.title;
      expect(title.length).toBeLessThanOrEqual(61);
      expect(title).toMatch(/^Explain how a write-ahead log/);
      expect(title.endsWith("…")).toBe(true);
      s.addUserMessage({ conversationId: c.id, clientMessageId: "c2", content: "second" });
      expect(s.getConversation(c.id)!.title).toBe(title);
    });

    it("does not store a resent clientMessageId twice", () => {
      const s = make();
      const c = s.createConversation("t");
      const a = s.addUserMessage({ conversationId: c.id, clientMessageId: "same", content: "hi" });
      const b = s.addUserMessage({ conversationId: c.id, clientMessageId: "same", content: "hi" });
      expect(a.duplicate).toBe(false);
      expect(b).toEqual({ message: a.message, duplicate: true });
      expect(s.listMessages(c.id)).toHaveLength(1);
      expect(s.findUserMessageByClientId("same")?.id).toBe(a.message.id);
      expect(s.findUserMessageByClientId("other")).toBeNull();
    });

    it("refuses messages for a missing conversation", () => {
      const s = make();
      expect(() => s.addUserMessage({ conversationId: "nope", clientMessageId: "c", content: "x" })).toThrow(StoreError);
    });

    it("stores every assistant field, JSON included, and keeps partial updates", () => {
      const s = make();
      const c = s.createConversation("t");
      const a = s.addAssistantMessage({ conversationId: c.id, runId: "r1", taskType: "conversational" });
      expect(a.status).toBe("streaming");
      s.updateAssistantMessage(a.id, { content: "par" });
      s.updateAssistantMessage(a.id, {
        content: "partial answer",
        status: "complete",
        finishReason: "stop",
        usage: { promptTokens: 7, completionTokens: 3, reported: true },
        metrics,
        steps: [{ id: "s1", title: "T", agent: "w", dependsOn: [], text: "x", status: "complete" }],
      });
      const m = s.getMessage(a.id)!;
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
      s.updateAssistantMessage(a.id, { error: { code: "internal", message: "x" }, steps: null, runId: "r2" });
      expect(s.getMessage(a.id)).toMatchObject({ error: { code: "internal", message: "x" }, steps: null, content: "partial answer", runId: "r2" });
    });

    it("lists a conversation's messages for a model request: id, role, content and status only, in order", () => {
      const s = make();
      const c = s.createConversation("t");
      const other = s.createConversation("other");
      const u1 = s.addUserMessage({ conversationId: c.id, clientMessageId: "1", content: "first question" }).message;
      s.addUserMessage({ conversationId: other.id, clientMessageId: "x", content: "elsewhere" });
      const a1 = s.addAssistantMessage({ conversationId: c.id, runId: "r1", taskType: "conversational" });
      s.updateAssistantMessage(a1.id, { content: "an answer", status: "complete", metrics, usage: { promptTokens: 7, completionTokens: 3, reported: true } });
      const u2 = s.addUserMessage({ conversationId: c.id, clientMessageId: "2", content: "second question" }).message;
      const a2 = s.addAssistantMessage({ conversationId: c.id, runId: "r2", taskType: null });

      const rows = s.listContextMessages(c.id);
      expect(rows).toEqual([
        { id: u1.id, role: "user", content: "first question", status: "complete" },
        { id: a1.id, role: "assistant", content: "an answer", status: "complete" },
        { id: u2.id, role: "user", content: "second question", status: "complete" },
        { id: a2.id, role: "assistant", content: "", status: "streaming" },
      ]);
      // the same messages, in the same order, as the full listing
      expect(rows.map((r) => r.id)).toEqual(s.listMessages(c.id).map((m) => m.id));
      expect(s.listContextMessages("no-such-conversation")).toEqual([]);
    });

    it("truncates after a message, inclusive or not, in insertion order", () => {
      const s = make();
      const c = s.createConversation("t");
      const u1 = s.addUserMessage({ conversationId: c.id, clientMessageId: "1", content: "one" }).message;
      const a1 = s.addAssistantMessage({ conversationId: c.id, runId: "r", taskType: null });
      s.addUserMessage({ conversationId: c.id, clientMessageId: "2", content: "two" });
      s.addAssistantMessage({ conversationId: c.id, runId: "r2", taskType: null });
      expect(s.truncateAfter(c.id, a1.id, false)).toBe(2);
      expect(s.listMessages(c.id).map((m) => m.id)).toEqual([u1.id, a1.id]);
      expect(s.truncateAfter(c.id, u1.id, true)).toBe(2);
      expect(s.listMessages(c.id)).toEqual([]);
      // the freed clientMessageId can be used again after an edit removed it
      expect(s.addUserMessage({ conversationId: c.id, clientMessageId: "1", content: "one again" }).duplicate).toBe(false);
    });

    it("an edit of the first question retitles a conversation whose title came from it, and keeps a title the user chose", () => {
      const s = make();
      const c = s.createConversation("");
      const first = s.addUserMessage({ conversationId: c.id, clientMessageId: "u1", content: "What is a monad?" }).message;
      s.addAssistantMessage({ conversationId: c.id, runId: "r1", taskType: null });
      const second = s.addUserMessage({ conversationId: c.id, clientMessageId: "u2", content: "And a functor?" }).message;

      // a later question edited: the title stays
      const later = s.replaceUserMessage({ conversationId: c.id, messageId: second.id, clientMessageId: "u3", content: "And an applicative?" });
      expect(later.retitled).toBeNull();
      expect(s.getConversation(c.id)!.title).toBe("What is a monad?");

      // the first question edited: the automatic title follows the new text, and everything after it is gone
      const edited = s.replaceUserMessage({ conversationId: c.id, messageId: first.id, clientMessageId: "u4", content: "Explain   monoids\nbriefly" });
      expect(edited.retitled).toMatchObject({ id: c.id, title: "Explain monoids briefly" });
      expect(s.getConversation(c.id)!.title).toBe("Explain monoids briefly");
      expect(s.listMessages(c.id).map((m) => m.content)).toEqual(["Explain   monoids\nbriefly"]);
      // and again, from the title it was given last
      const again = s.replaceUserMessage({ conversationId: c.id, messageId: edited.message.id, clientMessageId: "u5", content: "Monads, please" });
      expect(again.retitled?.title).toBe("Monads, please");

      // a title the user chose is theirs
      s.renameConversation(c.id, "Category theory");
      const renamed = s.replaceUserMessage({ conversationId: c.id, messageId: again.message.id, clientMessageId: "u6", content: "Functors" });
      expect(renamed.retitled).toBeNull();
      expect(s.getConversation(c.id)!.title).toBe("Category theory");

      expect(() => s.replaceUserMessage({ conversationId: c.id, messageId: "nope", clientMessageId: "u7", content: "x" })).toThrow(StoreError);
    });

    it("marks streaming answers interrupted", () => {
      const s = make();
      const c = s.createConversation("t");
      const a = s.addAssistantMessage({ conversationId: c.id, runId: "r", taskType: null });
      s.updateAssistantMessage(a.id, { content: "half" });
      expect(s.markStreamingInterrupted()).toBe(1);
      expect(s.getMessage(a.id)).toMatchObject({ status: "interrupted", content: "half", finishReason: "interrupted" });
      expect(s.markStreamingInterrupted()).toBe(0);
    });

    it("lists newest first and searches titles and content with a snippet", () => {
      let t = 1000;
      const s = make({ now: () => t++ });
      const a = s.createConversation("Rust lifetimes");
      const b = s.createConversation("Cooking");
      s.addUserMessage({ conversationId: b.id, clientMessageId: "x", content: "How long should I boil an egg for a soft yolk?" });
      const list = s.listConversations();
      expect(list.map((c) => c.id)).toEqual([b.id, a.id]);
      expect(list[0]!.snippet).toContain("boil an egg");
      expect(s.listConversations("rust").map((c) => c.id)).toEqual([a.id]);
      const hit = s.listConversations("SOFT yolk");
      expect(hit.map((c) => c.id)).toEqual([b.id]);
      expect(hit[0]!.snippet).toContain("soft yolk");
      expect(s.listConversations("100%")).toEqual([]);
      expect(s.listConversations("_")).toEqual([]);
    });

    it("soft-deletes with an undo window, then purges", () => {
      let t = 10_000;
      const s = make({ now: () => t, undoWindowMs: 5000 });
      const c = s.createConversation("keep me");
      s.addUserMessage({ conversationId: c.id, clientMessageId: "m", content: "hello" });
      expect(s.deleteConversation(c.id)).toEqual({ restorableUntil: 15_000 });
      expect(s.getConversation(c.id)).toBeNull();
      expect(s.listConversations()).toEqual([]);
      expect(s.deleteConversation(c.id)).toBeNull();
      expect(s.restoreConversation(c.id)?.title).toBe("keep me");
      expect(s.listMessages(c.id)).toHaveLength(1);
      s.deleteConversation(c.id);
      t = 15_001;
      expect(s.restoreConversation(c.id)).toBeNull();
      expect(s.purgeDeleted()).toBe(1);
      expect(s.listMessages(c.id)).toEqual([]);
    });

    it("renames, keeps summaries and pins facts", () => {
      const s = make();
      const c = s.createConversation("a");
      expect(s.renameConversation(c.id, "b")?.title).toBe("b");
      expect(s.renameConversation("missing", "b")).toBeNull();
      s.updateSummary(c.id, "they talked", 4);
      expect(s.getConversation(c.id)).toMatchObject({ summary: "they talked", summarizedCount: 4 });
      const m = s.addUserMessage({ conversationId: c.id, clientMessageId: "m", content: "my name is Ada" }).message;
      const f1 = s.pinFact({ conversationId: c.id, text: "name: Ada", messageId: m.id });
      const f2 = s.pinFact({ conversationId: c.id, text: "likes tea", messageId: null });
      expect(s.getMessage(m.id)?.pinned).toBe(true);
      expect(s.listPinnedFacts(c.id).map((f) => f.id)).toEqual([f1.id, f2.id]);
      expect(s.unpinFact(c.id, f1.id)).toBe(true);
      expect(s.unpinFact(c.id, f1.id)).toBe(false);
      expect(s.getMessage(m.id)?.pinned).toBe(false);
      expect(s.listPinnedFacts(c.id)).toHaveLength(1);
    });
  });

  describeAttachmentStoreContract(name, make);
}
