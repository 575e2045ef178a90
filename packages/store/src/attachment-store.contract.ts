import { describe, expect, it } from "vitest";
import type { ConversationStore, NewAttachment } from "./conversation-store.js";
import type { StoreFactory } from "./conversation-store.contract.js";
import { StoreError } from "./store-error.js";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function file(conversationId: string, name: string, text = `the text of ${name}`): NewAttachment {
  const kind = name.endsWith(".csv") ? "csv" : name.endsWith(".pdf") ? "pdf" : "text";
  return { conversationId, name, kind, mediaType: "text/plain", bytes: text.length + 3, text, pages: null, tokens: Math.ceil(text.length / 4) };
}

/** the StoreError a call throws (its code and message), or fails the test when it throws none or another error */
async function storeErrorOf(call: () => Promise<unknown>): Promise<StoreError> {
  try {
    await call();
  } catch (error) {
    if (error instanceof StoreError) return error;
    throw error;
  }
  throw new Error("expected a StoreError");
}

/** Attachments as every ConversationStore keeps them: uploaded unsent, bound to the message that sends them, read by runs. */
export function describeAttachmentStoreContract(name: string, make: StoreFactory): void {
  describe(`${name}: attachments`, () => {
    it("purges abandoned conversations (untitled, no message, no file, older than the cutoff) and nothing else", async () => {
      let t = 1_000;
      const s = await make({ now: () => t });
      const abandoned = await s.createConversation("");
      const titled = await s.createConversation("made by a script");
      const withFile = await s.createConversation("");
      await s.addAttachment(file(withFile.id, "notes.txt"));
      const withMessage = await s.createConversation("");
      await s.addUserMessage({ conversationId: withMessage.id, clientMessageId: "m", content: "hello" });
      t = 5_000;
      const recent = await s.createConversation("");
      expect(await s.purgeAbandoned(2_000)).toBe(1);
      expect(await s.getConversation(abandoned.id)).toBeNull();
      for (const kept of [titled, withFile, withMessage, recent]) expect(await s.getConversation(kept.id)).not.toBeNull();
      expect(await s.purgeAbandoned(2_000)).toBe(0);
    });

    const send = async (s: ConversationStore, conversationId: string, clientMessageId: string, attachmentIds: string[] = []) =>
      (await s.addUserMessage({ conversationId, clientMessageId, content: `message ${clientMessageId}`, attachmentIds })).message;

    it("keeps an upload's metadata and text apart: listed oldest first without text, unsent until a message names it", async () => {
      let t = 100;
      const s = await make({ now: () => t++ });
      const c = await s.createConversation("");
      t = 500;
      const pdf = await s.addAttachment({
        conversationId: c.id,
        name: "report.pdf",
        kind: "pdf",
        mediaType: "application/pdf",
        bytes: 2048,
        text: "page one\n\npage two",
        pages: [
          { number: 1, start: 0, end: 8 },
          { number: 2, start: 10, end: 18 },
        ],
        tokens: 5,
      });
      expect(pdf).toEqual({
        id: expect.stringMatching(UUID_V4),
        conversationId: c.id,
        messageId: null,
        name: "report.pdf",
        kind: "pdf",
        mediaType: "application/pdf",
        bytes: 2048,
        chars: 18,
        tokens: 5,
        pages: 2,
        createdAt: 500,
      });
      const notes = await s.addAttachment(file(c.id, "notes.txt"));
      expect(notes.pages).toBeNull();
      expect(await s.listAttachments(c.id)).toEqual([pdf, notes]);
      expect(await s.getAttachment(c.id, notes.id)).toEqual(notes);
      // another conversation's id, or none at all, finds nothing
      const other = await s.createConversation("other");
      expect(await s.getAttachment(other.id, notes.id)).toBeNull();
      expect(await s.listAttachments(other.id)).toEqual([]);
      // unsent files are not a run's documents yet
      expect(await s.listDocuments(c.id)).toEqual([]);
      expect((await storeErrorOf(() => s.addAttachment(file("no-such-conversation", "x.txt")))).code).toBe("not_found");
    });

    it("binds files to the user message that sends them: in its listing, in getMessage, and as the run's documents", async () => {
      const s = await make();
      const c = await s.createConversation("");
      const a = await s.addAttachment(file(c.id, "a.txt", "alpha"));
      const b = await s.addAttachment(file(c.id, "b.csv", "x,y\n1,2"));
      const later = await s.addAttachment(file(c.id, "later.txt"));
      const first = await send(s, c.id, "m1", [b.id, a.id, a.id]);
      expect(first.attachments?.map((f) => [f.name, f.messageId])).toEqual([
        ["a.txt", first.id],
        ["b.csv", first.id],
      ]);
      const answer = await s.addAssistantMessage({ conversationId: c.id, runId: "r1", taskType: null });
      const second = await send(s, c.id, "m2");
      expect(second.attachments).toBeUndefined();

      const listed = await s.listMessages(c.id);
      expect(listed.map((m) => m.attachments?.map((f) => f.name) ?? [])).toEqual([["a.txt", "b.csv"], [], []]);
      expect(listed[0]!.attachments).toEqual(first.attachments);
      expect((await s.getMessage(first.id))?.attachments).toEqual(first.attachments);
      expect((await s.getMessage(answer.id))?.attachments).toBeUndefined();
      expect((await s.findUserMessageByClientId("m1"))?.attachments).toEqual(first.attachments);
      expect((await s.listAttachments(c.id)).map((f) => f.messageId)).toEqual([first.id, first.id, null]);
      expect(await s.listDocuments(c.id)).toEqual([
        { id: a.id, name: "a.txt", kind: "text", text: "alpha", messageId: first.id },
        { id: b.id, name: "b.csv", kind: "csv", text: "x,y\n1,2", messageId: first.id },
      ]);

      // bound later, to a message of its own conversation
      expect((await s.attachToMessage(c.id, second.id, [later.id])).map((f) => f.id)).toEqual([later.id]);
      expect((await s.listDocuments(c.id)).map((d) => d.name)).toEqual(["a.txt", "b.csv", "later.txt"]);
    });

    it("binds all or none: an unknown, foreign or already-sent file stores no message and binds nothing", async () => {
      const s = await make();
      const c = await s.createConversation("");
      const other = await s.createConversation("other");
      const mine = await s.addAttachment(file(c.id, "mine.txt"));
      const foreign = await s.addAttachment(file(other.id, "foreign.txt"));
      const sentOne = await s.addAttachment(file(c.id, "sent.txt"));
      const sentWith = await send(s, c.id, "m0", [sentOne.id]);

      const unknown = await storeErrorOf(() => send(s, c.id, "m1", [mine.id, "no-such-file"]));
      expect(unknown.code).toBe("not_found");
      expect(unknown.message).toContain("no-such-file");
      expect((await storeErrorOf(() => send(s, c.id, "m2", [mine.id, foreign.id]))).code).toBe("not_found");
      const again = await storeErrorOf(() => send(s, c.id, "m3", [mine.id, sentOne.id]));
      expect(again.code).toBe("conflict");
      expect(again.message).toContain("sent.txt");

      expect((await s.listMessages(c.id)).map((m) => m.clientMessageId)).toEqual(["m0"]);
      expect((await s.getAttachment(c.id, mine.id))?.messageId).toBeNull();
      expect((await s.getAttachment(other.id, foreign.id))?.messageId).toBeNull();
      expect((await s.getAttachment(c.id, sentOne.id))?.messageId).toBe(sentWith.id);
      // the freed client id works once the files are right
      expect((await send(s, c.id, "m1", [mine.id])).attachments?.map((f) => f.name)).toEqual(["mine.txt"]);

      // binding to something that is not a user message of the conversation
      const answer = await s.addAssistantMessage({ conversationId: c.id, runId: "r", taskType: null });
      const late = await s.addAttachment(file(c.id, "late.txt"));
      expect((await storeErrorOf(() => s.attachToMessage(c.id, answer.id, [late.id]))).code).toBe("not_found");
      expect((await storeErrorOf(() => s.attachToMessage(other.id, sentWith.id, [foreign.id]))).code).toBe("not_found");
    });

    it("removes an unsent file, and refuses to remove a sent one", async () => {
      const s = await make();
      const c = await s.createConversation("");
      const draft = await s.addAttachment(file(c.id, "draft.txt"));
      const kept = await s.addAttachment(file(c.id, "kept.txt"));
      await send(s, c.id, "m1", [kept.id]);
      expect(await s.removeAttachment(c.id, draft.id)).toBe(true);
      expect(await s.removeAttachment(c.id, draft.id)).toBe(false);
      expect(await s.getAttachment(c.id, draft.id)).toBeNull();
      const refused = await storeErrorOf(() => s.removeAttachment(c.id, kept.id));
      expect(refused.code).toBe("conflict");
      expect(refused.message).toContain("kept.txt");
      expect((await s.listAttachments(c.id)).map((f) => f.name)).toEqual(["kept.txt"]);
      expect(await s.removeAttachment((await s.createConversation("x")).id, kept.id)).toBe(false);
    });

    it("an edit keeps the edited message's files; the messages an edit or a regenerate removes take theirs", async () => {
      const s = await make();
      const c = await s.createConversation("");
      const one = await s.addAttachment(file(c.id, "one.txt"));
      const two = await s.addAttachment(file(c.id, "two.txt"));
      const pending = await s.addAttachment(file(c.id, "pending.txt"));
      const first = await send(s, c.id, "m1", [one.id]);
      await s.addAssistantMessage({ conversationId: c.id, runId: "r1", taskType: null });
      const second = await send(s, c.id, "m2", [two.id]);
      await s.addAssistantMessage({ conversationId: c.id, runId: "r2", taskType: null });

      // a regenerate of the last answer: the question keeps its file
      await s.truncateAfter(c.id, second.id, false);
      expect((await s.getMessage(second.id))?.attachments?.map((f) => f.name)).toEqual(["two.txt"]);

      // the first question edited: its file moves to the new text, the second question's file goes with it
      const { message } = await s.replaceUserMessage({ conversationId: c.id, messageId: first.id, clientMessageId: "m3", content: "edited" });
      expect(message.attachments?.map((f) => [f.name, f.messageId])).toEqual([["one.txt", message.id]]);
      expect((await s.listMessages(c.id)).map((m) => [m.content, m.attachments?.map((f) => f.name)])).toEqual([["edited", ["one.txt"]]]);
      expect(await s.getAttachment(c.id, two.id)).toBeNull();
      expect((await s.listDocuments(c.id)).map((d) => [d.name, d.messageId])).toEqual([["one.txt", message.id]]);
      // a file not sent yet waits in the composer whatever happens to the messages
      expect((await s.getAttachment(c.id, pending.id))?.messageId).toBeNull();
    });

    it("files go with their conversation: hidden by a delete, back with a restore, gone after the purge", async () => {
      let t = 10_000;
      const s = await make({ now: () => t, undoWindowMs: 5000 });
      const c = await s.createConversation("");
      const sent = await s.addAttachment(file(c.id, "sent.txt"));
      const unsent = await s.addAttachment(file(c.id, "unsent.txt"));
      await send(s, c.id, "m1", [sent.id]);
      const survivor = await s.createConversation("survivor");
      const theirs = await s.addAttachment(file(survivor.id, "theirs.txt"));

      await s.deleteConversation(c.id);
      expect(await s.listAttachments(c.id)).toEqual([]);
      expect(await s.getAttachment(c.id, unsent.id)).toBeNull();
      expect(await s.listDocuments(c.id)).toEqual([]);
      await s.restoreConversation(c.id);
      expect((await s.listAttachments(c.id)).map((f) => f.name)).toEqual(["sent.txt", "unsent.txt"]);
      expect((await s.listDocuments(c.id)).map((d) => d.name)).toEqual(["sent.txt"]);

      await s.deleteConversation(c.id);
      t = 15_001;
      expect(await s.purgeDeleted()).toBe(1);
      expect(await s.restoreConversation(c.id)).toBeNull();
      expect(await s.listAttachments(c.id)).toEqual([]);
      expect(await s.listAttachments(survivor.id)).toEqual([theirs]);
    });
  });
}
