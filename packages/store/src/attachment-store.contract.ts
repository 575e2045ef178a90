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
function storeErrorOf(call: () => unknown): StoreError {
  try {
    call();
  } catch (error) {
    if (error instanceof StoreError) return error;
    throw error;
  }
  throw new Error("expected a StoreError");
}

/** Attachments as every ConversationStore keeps them: uploaded unsent, bound to the message that sends them, read by runs. */
export function describeAttachmentStoreContract(name: string, make: StoreFactory): void {
  describe(`${name}: attachments`, () => {
    const send = (s: ConversationStore, conversationId: string, clientMessageId: string, attachmentIds: string[] = []) =>
      s.addUserMessage({ conversationId, clientMessageId, content: `message ${clientMessageId}`, attachmentIds }).message;

    it("keeps an upload's metadata and text apart: listed oldest first without text, unsent until a message names it", () => {
      let t = 100;
      const s = make({ now: () => t++ });
      const c = s.createConversation("");
      t = 500;
      const pdf = s.addAttachment({
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
      const notes = s.addAttachment(file(c.id, "notes.txt"));
      expect(notes.pages).toBeNull();
      expect(s.listAttachments(c.id)).toEqual([pdf, notes]);
      expect(s.getAttachment(c.id, notes.id)).toEqual(notes);
      // another conversation's id, or none at all, finds nothing
      const other = s.createConversation("other");
      expect(s.getAttachment(other.id, notes.id)).toBeNull();
      expect(s.listAttachments(other.id)).toEqual([]);
      // unsent files are not a run's documents yet
      expect(s.listDocuments(c.id)).toEqual([]);
      expect(storeErrorOf(() => s.addAttachment(file("no-such-conversation", "x.txt"))).code).toBe("not_found");
    });

    it("binds files to the user message that sends them: in its listing, in getMessage, and as the run's documents", () => {
      const s = make();
      const c = s.createConversation("");
      const a = s.addAttachment(file(c.id, "a.txt", "alpha"));
      const b = s.addAttachment(file(c.id, "b.csv", "x,y\n1,2"));
      const later = s.addAttachment(file(c.id, "later.txt"));
      const first = send(s, c.id, "m1", [b.id, a.id, a.id]);
      expect(first.attachments?.map((f) => [f.name, f.messageId])).toEqual([
        ["a.txt", first.id],
        ["b.csv", first.id],
      ]);
      const answer = s.addAssistantMessage({ conversationId: c.id, runId: "r1", taskType: null });
      const second = send(s, c.id, "m2");
      expect(second.attachments).toBeUndefined();

      const listed = s.listMessages(c.id);
      expect(listed.map((m) => m.attachments?.map((f) => f.name) ?? [])).toEqual([["a.txt", "b.csv"], [], []]);
      expect(listed[0]!.attachments).toEqual(first.attachments);
      expect(s.getMessage(first.id)?.attachments).toEqual(first.attachments);
      expect(s.getMessage(answer.id)?.attachments).toBeUndefined();
      expect(s.findUserMessageByClientId("m1")?.attachments).toEqual(first.attachments);
      expect(s.listAttachments(c.id).map((f) => f.messageId)).toEqual([first.id, first.id, null]);
      expect(s.listDocuments(c.id)).toEqual([
        { id: a.id, name: "a.txt", kind: "text", text: "alpha", messageId: first.id },
        { id: b.id, name: "b.csv", kind: "csv", text: "x,y\n1,2", messageId: first.id },
      ]);

      // bound later, to a message of its own conversation
      expect(s.attachToMessage(c.id, second.id, [later.id]).map((f) => f.id)).toEqual([later.id]);
      expect(s.listDocuments(c.id).map((d) => d.name)).toEqual(["a.txt", "b.csv", "later.txt"]);
    });

    it("binds all or none: an unknown, foreign or already-sent file stores no message and binds nothing", () => {
      const s = make();
      const c = s.createConversation("");
      const other = s.createConversation("other");
      const mine = s.addAttachment(file(c.id, "mine.txt"));
      const foreign = s.addAttachment(file(other.id, "foreign.txt"));
      const sentOne = s.addAttachment(file(c.id, "sent.txt"));
      const sentWith = send(s, c.id, "m0", [sentOne.id]);

      const unknown = storeErrorOf(() => send(s, c.id, "m1", [mine.id, "no-such-file"]));
      expect(unknown.code).toBe("not_found");
      expect(unknown.message).toContain("no-such-file");
      expect(storeErrorOf(() => send(s, c.id, "m2", [mine.id, foreign.id])).code).toBe("not_found");
      const again = storeErrorOf(() => send(s, c.id, "m3", [mine.id, sentOne.id]));
      expect(again.code).toBe("conflict");
      expect(again.message).toContain("sent.txt");

      expect(s.listMessages(c.id).map((m) => m.clientMessageId)).toEqual(["m0"]);
      expect(s.getAttachment(c.id, mine.id)?.messageId).toBeNull();
      expect(s.getAttachment(other.id, foreign.id)?.messageId).toBeNull();
      expect(s.getAttachment(c.id, sentOne.id)?.messageId).toBe(sentWith.id);
      // the freed client id works once the files are right
      expect(send(s, c.id, "m1", [mine.id]).attachments?.map((f) => f.name)).toEqual(["mine.txt"]);

      // binding to something that is not a user message of the conversation
      const answer = s.addAssistantMessage({ conversationId: c.id, runId: "r", taskType: null });
      const late = s.addAttachment(file(c.id, "late.txt"));
      expect(storeErrorOf(() => s.attachToMessage(c.id, answer.id, [late.id])).code).toBe("not_found");
      expect(storeErrorOf(() => s.attachToMessage(other.id, sentWith.id, [foreign.id])).code).toBe("not_found");
    });

    it("removes an unsent file, and refuses to remove a sent one", () => {
      const s = make();
      const c = s.createConversation("");
      const draft = s.addAttachment(file(c.id, "draft.txt"));
      const kept = s.addAttachment(file(c.id, "kept.txt"));
      send(s, c.id, "m1", [kept.id]);
      expect(s.removeAttachment(c.id, draft.id)).toBe(true);
      expect(s.removeAttachment(c.id, draft.id)).toBe(false);
      expect(s.getAttachment(c.id, draft.id)).toBeNull();
      const refused = storeErrorOf(() => s.removeAttachment(c.id, kept.id));
      expect(refused.code).toBe("conflict");
      expect(refused.message).toContain("kept.txt");
      expect(s.listAttachments(c.id).map((f) => f.name)).toEqual(["kept.txt"]);
      expect(s.removeAttachment(s.createConversation("x").id, kept.id)).toBe(false);
    });

    it("an edit keeps the edited message's files; the messages an edit or a regenerate removes take theirs", () => {
      const s = make();
      const c = s.createConversation("");
      const one = s.addAttachment(file(c.id, "one.txt"));
      const two = s.addAttachment(file(c.id, "two.txt"));
      const pending = s.addAttachment(file(c.id, "pending.txt"));
      const first = send(s, c.id, "m1", [one.id]);
      s.addAssistantMessage({ conversationId: c.id, runId: "r1", taskType: null });
      const second = send(s, c.id, "m2", [two.id]);
      s.addAssistantMessage({ conversationId: c.id, runId: "r2", taskType: null });

      // a regenerate of the last answer: the question keeps its file
      s.truncateAfter(c.id, second.id, false);
      expect(s.getMessage(second.id)?.attachments?.map((f) => f.name)).toEqual(["two.txt"]);

      // the first question edited: its file moves to the new text, the second question's file goes with it
      const { message } = s.replaceUserMessage({ conversationId: c.id, messageId: first.id, clientMessageId: "m3", content: "edited" });
      expect(message.attachments?.map((f) => [f.name, f.messageId])).toEqual([["one.txt", message.id]]);
      expect(s.listMessages(c.id).map((m) => [m.content, m.attachments?.map((f) => f.name)])).toEqual([["edited", ["one.txt"]]]);
      expect(s.getAttachment(c.id, two.id)).toBeNull();
      expect(s.listDocuments(c.id).map((d) => [d.name, d.messageId])).toEqual([["one.txt", message.id]]);
      // a file not sent yet waits in the composer whatever happens to the messages
      expect(s.getAttachment(c.id, pending.id)?.messageId).toBeNull();
    });

    it("files go with their conversation: hidden by a delete, back with a restore, gone after the purge", () => {
      let t = 10_000;
      const s = make({ now: () => t, undoWindowMs: 5000 });
      const c = s.createConversation("");
      const sent = s.addAttachment(file(c.id, "sent.txt"));
      const unsent = s.addAttachment(file(c.id, "unsent.txt"));
      send(s, c.id, "m1", [sent.id]);
      const survivor = s.createConversation("survivor");
      const theirs = s.addAttachment(file(survivor.id, "theirs.txt"));

      s.deleteConversation(c.id);
      expect(s.listAttachments(c.id)).toEqual([]);
      expect(s.getAttachment(c.id, unsent.id)).toBeNull();
      expect(s.listDocuments(c.id)).toEqual([]);
      s.restoreConversation(c.id);
      expect(s.listAttachments(c.id).map((f) => f.name)).toEqual(["sent.txt", "unsent.txt"]);
      expect(s.listDocuments(c.id).map((d) => d.name)).toEqual(["sent.txt"]);

      s.deleteConversation(c.id);
      t = 15_001;
      expect(s.purgeDeleted()).toBe(1);
      expect(s.restoreConversation(c.id)).toBeNull();
      expect(s.listAttachments(c.id)).toEqual([]);
      expect(s.listAttachments(survivor.id)).toEqual([theirs]);
    });
  });
}
