import type Database from "better-sqlite3";
import type { Attachment, Message } from "@alma/protocol";
import type { NewAttachment, StoredDocument } from "./conversation-store.js";
import { newAttachmentRecord } from "./new-attachment-record.js";
import { type AttachmentRow, type DocumentRow, toAttachment, toDocument } from "./sqlite-rows.js";
import { StoreError } from "./store-error.js";

// the metadata columns; the text stays in the table until a run asks for it
const META = `a.id, a.conversation_id, a.message_id, a.name, a.kind, a.media_type, a.bytes, a.chars, a.tokens,
  json_array_length(a.pages_json) AS pages, a.created_at`;
// a deleted conversation's files are hidden with it (until the purge removes them, or a restore brings them back)
const LIVE = "JOIN conversations c ON c.id = a.conversation_id AND c.deleted_at IS NULL";

function prepare(db: Database.Database) {
  return {
    insert: db.prepare(
      `INSERT INTO attachments (id, conversation_id, message_id, name, kind, media_type, bytes, text, pages_json, chars, tokens, created_at)
       VALUES (@id, @conversationId, NULL, @name, @kind, @mediaType, @bytes, @text, @pagesJson, @chars, @tokens, @createdAt)`,
    ),
    get: db.prepare<[string, string], AttachmentRow>(`SELECT ${META} FROM attachments a ${LIVE} WHERE a.id = ? AND a.conversation_id = ?`),
    list: db.prepare<[string], AttachmentRow>(`SELECT ${META} FROM attachments a ${LIVE} WHERE a.conversation_id = ? ORDER BY a.seq`),
    listSent: db.prepare<[string], AttachmentRow>(
      `SELECT ${META} FROM attachments a ${LIVE} WHERE a.conversation_id = ? AND a.message_id IS NOT NULL ORDER BY a.seq`,
    ),
    listForMessage: db.prepare<[string], AttachmentRow>(`SELECT ${META} FROM attachments a ${LIVE} WHERE a.message_id = ? ORDER BY a.seq`),
    bind: db.prepare("UPDATE attachments SET message_id = ? WHERE id = ? AND conversation_id = ? AND message_id IS NULL"),
    unbindMessage: db.prepare("UPDATE attachments SET message_id = NULL WHERE message_id = ?"),
    idsForMessage: db.prepare<[string], { id: string }>("SELECT id FROM attachments WHERE message_id = ? ORDER BY seq"),
    remove: db.prepare("DELETE FROM attachments WHERE id = ? AND conversation_id = ? AND message_id IS NULL"),
    documents: db.prepare<[string], DocumentRow>(
      `SELECT a.id, a.name, a.kind, a.text, a.pages_json, a.message_id FROM attachments a ${LIVE}
       WHERE a.conversation_id = ? AND a.message_id IS NOT NULL ORDER BY a.seq`,
    ),
  };
}

/**
 * The attachments table of the SQLite store: uploads, binding to the message that sends them, and the texts runs read.
 * The conversation store calls it inside its own transactions (edits move an edited message's files).
 */
export class SqliteAttachments {
  private readonly stmt: ReturnType<typeof prepare>;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {
    this.stmt = prepare(db);
  }

  add(input: NewAttachment): Attachment {
    const attachment = newAttachmentRecord(input, this.now());
    this.stmt.insert.run({ ...attachment, text: input.text, pagesJson: input.pages ? JSON.stringify(input.pages) : null });
    return attachment;
  }

  get(conversationId: string, attachmentId: string): Attachment | null {
    const row = this.stmt.get.get(attachmentId, conversationId);
    return row ? toAttachment(row) : null;
  }

  list(conversationId: string): Attachment[] {
    return this.stmt.list.all(conversationId).map(toAttachment);
  }

  /** a conversation's messages, each user message with the files it was sent with (one query for all of them) */
  onMessages(conversationId: string, messages: Message[]): Message[] {
    const byMessage = new Map<string, Attachment[]>();
    for (const row of this.stmt.listSent.all(conversationId)) {
      const list = byMessage.get(row.message_id!) ?? [];
      list.push(toAttachment(row));
      byMessage.set(row.message_id!, list);
    }
    return messages.map((m) => {
      const attachments = byMessage.get(m.id);
      return attachments ? { ...m, attachments } : m;
    });
  }

  /** a user message with the files it was sent with (none: no `attachments` field) */
  onMessage(message: Message): Message {
    if (message.role !== "user") return message;
    const attachments = this.forMessage(message.id);
    return attachments.length > 0 ? { ...message, attachments } : message;
  }

  forMessage(messageId: string): Attachment[] {
    return this.stmt.listForMessage.all(messageId).map(toAttachment);
  }

  /** binds, all or none (call inside a transaction); the message is checked by the caller */
  bind(conversationId: string, messageId: string, attachmentIds: readonly string[]): Attachment[] {
    return this.db.transaction(() => {
      for (const id of new Set(attachmentIds)) {
        const found = this.get(conversationId, id);
        if (!found) {
          throw new StoreError("not_found", `Attachment ${id} is not one of this conversation's files (it may have been removed); upload the file again.`);
        }
        if (found.messageId !== null) {
          throw new StoreError("conflict", `${found.name} was already sent with another message; upload it again to send it with this one.`);
        }
        this.stmt.bind.run(messageId, id, conversationId);
      }
      return this.forMessage(messageId);
    })();
  }

  /** unbinds a message's files (before the message is removed by an edit) and returns their ids, in order */
  release(messageId: string): string[] {
    const ids = this.stmt.idsForMessage.all(messageId).map((r) => r.id);
    this.stmt.unbindMessage.run(messageId);
    return ids;
  }

  remove(conversationId: string, attachmentId: string): boolean {
    const found = this.get(conversationId, attachmentId);
    if (!found) return false;
    if (found.messageId !== null) {
      throw new StoreError("conflict", `${found.name} was sent with a message and stays with it; only a file not sent yet can be removed.`);
    }
    return this.stmt.remove.run(attachmentId, conversationId).changes > 0;
  }

  documents(conversationId: string): StoredDocument[] {
    return this.stmt.documents.all(conversationId).map(toDocument);
  }
}
