import type { Attachment, Message } from "@alma/protocol";
import type { Pool, PoolClient } from "pg";
import type { NewAttachment, StoredDocument } from "./conversation-store.js";
import { newAttachmentRecord } from "./new-attachment-record.js";
import { type PgDocumentRow, toPgDocument } from "./postgres-rows.js";
import { type AttachmentRow, toAttachment } from "./sqlite-rows.js";
import { StoreError } from "./store-error.js";

/** the pool, or the client of a transaction in progress */
export type Queryable = Pool | PoolClient;

// the metadata columns; the text stays in the table until a run asks for it
const META = `a.id, a.conversation_id, a.message_id, a.name, a.kind, a.media_type, a.bytes, a.chars, a.tokens,
  jsonb_array_length(a.pages_json) AS pages, a.created_at`;
// a deleted conversation's files are hidden with it (until the purge removes them, or a restore brings them back)
const LIVE = "JOIN conversations c ON c.id = a.conversation_id AND c.deleted_at IS NULL";

/**
 * The attachments table of the PostgreSQL store, the same rules as SqliteAttachments. Every method takes the
 * queryable to run on, so the conversation store can call it inside its own transactions.
 */
export class PostgresAttachments {
  constructor(private readonly now: () => number) {}

  async add(q: Queryable, input: NewAttachment): Promise<Attachment> {
    const attachment = newAttachmentRecord(input, this.now());
    await q.query(
      `INSERT INTO attachments (id, conversation_id, message_id, name, kind, media_type, bytes, text, pages_json, chars, tokens, created_at)
       VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11)`,
      [
        attachment.id,
        attachment.conversationId,
        attachment.name,
        attachment.kind,
        attachment.mediaType,
        attachment.bytes,
        input.text,
        input.pages ? JSON.stringify(input.pages) : null,
        attachment.chars,
        attachment.tokens,
        attachment.createdAt,
      ],
    );
    return attachment;
  }

  /** `lock`: inside a transaction, held until it ends (a remove and a send of one file do not cross) */
  async get(q: Queryable, conversationId: string, attachmentId: string, lock = false): Promise<Attachment | null> {
    const { rows } = await q.query<AttachmentRow>(
      `SELECT ${META} FROM attachments a ${LIVE} WHERE a.id = $1 AND a.conversation_id = $2${lock ? " FOR UPDATE OF a" : ""}`,
      [attachmentId, conversationId],
    );
    return rows[0] ? toAttachment(rows[0]) : null;
  }

  async list(q: Queryable, conversationId: string): Promise<Attachment[]> {
    const { rows } = await q.query<AttachmentRow>(`SELECT ${META} FROM attachments a ${LIVE} WHERE a.conversation_id = $1 ORDER BY a.seq`, [conversationId]);
    return rows.map(toAttachment);
  }

  /** a conversation's messages, each user message with the files it was sent with (one query for all of them) */
  async onMessages(q: Queryable, conversationId: string, messages: Message[]): Promise<Message[]> {
    const { rows } = await q.query<AttachmentRow>(
      `SELECT ${META} FROM attachments a ${LIVE} WHERE a.conversation_id = $1 AND a.message_id IS NOT NULL ORDER BY a.seq`,
      [conversationId],
    );
    const byMessage = new Map<string, Attachment[]>();
    for (const row of rows) {
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
  async onMessage(q: Queryable, message: Message): Promise<Message> {
    if (message.role !== "user") return message;
    const attachments = await this.forMessage(q, message.id);
    return attachments.length > 0 ? { ...message, attachments } : message;
  }

  async forMessage(q: Queryable, messageId: string): Promise<Attachment[]> {
    const { rows } = await q.query<AttachmentRow>(`SELECT ${META} FROM attachments a ${LIVE} WHERE a.message_id = $1 ORDER BY a.seq`, [messageId]);
    return rows.map(toAttachment);
  }

  /** binds, all or none: call inside a transaction (a refusal rolls it back); the message is checked by the caller */
  async bind(q: PoolClient, conversationId: string, messageId: string, attachmentIds: readonly string[]): Promise<Attachment[]> {
    for (const id of new Set(attachmentIds)) {
      // locked, so two messages sending one file at once cannot both take it
      const { rows } = await q.query<AttachmentRow>(`SELECT ${META} FROM attachments a ${LIVE} WHERE a.id = $1 AND a.conversation_id = $2 FOR UPDATE OF a`, [
        id,
        conversationId,
      ]);
      const found = rows[0];
      if (!found) {
        throw new StoreError("not_found", `Attachment ${id} is not one of this conversation's files (it may have been removed); upload the file again.`);
      }
      if (found.message_id !== null) {
        throw new StoreError("conflict", `${found.name} was already sent with another message; upload it again to send it with this one.`);
      }
      await q.query("UPDATE attachments SET message_id = $1 WHERE id = $2", [messageId, id]);
    }
    return this.forMessage(q, messageId);
  }

  /** unbinds a message's files (before the message is removed by an edit) and returns their ids, in order */
  async release(q: PoolClient, messageId: string): Promise<string[]> {
    const { rows } = await q.query<{ id: string }>("SELECT id FROM attachments WHERE message_id = $1 ORDER BY seq", [messageId]);
    await q.query("UPDATE attachments SET message_id = NULL WHERE message_id = $1", [messageId]);
    return rows.map((r) => r.id);
  }

  async remove(q: PoolClient, conversationId: string, attachmentId: string): Promise<boolean> {
    const found = await this.get(q, conversationId, attachmentId, true);
    if (!found) return false;
    if (found.messageId !== null) {
      throw new StoreError("conflict", `${found.name} was sent with a message and stays with it; only a file not sent yet can be removed.`);
    }
    const { rowCount } = await q.query("DELETE FROM attachments WHERE id = $1 AND conversation_id = $2 AND message_id IS NULL", [attachmentId, conversationId]);
    return (rowCount ?? 0) > 0;
  }

  async documents(q: Queryable, conversationId: string): Promise<StoredDocument[]> {
    const { rows } = await q.query<PgDocumentRow>(
      `SELECT a.id, a.name, a.kind, a.text, a.pages_json, a.message_id FROM attachments a ${LIVE}
       WHERE a.conversation_id = $1 AND a.message_id IS NOT NULL ORDER BY a.seq`,
      [conversationId],
    );
    return rows.map(toPgDocument);
  }
}
