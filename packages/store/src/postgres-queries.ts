import type { Conversation, Message } from "@alma/protocol";
import type { PoolClient } from "pg";
import { randomUUID } from "node:crypto";
import type { NewUserMessage } from "./conversation-store.js";
import type { PostgresAttachments, Queryable } from "./postgres-attachments.js";
import { titleFromMessage } from "./title-from-message.js";
import { CONVERSATION_COLUMNS, MESSAGE_COLUMNS, type PgMessageRow, toPgMessage } from "./postgres-rows.js";
import { type ConversationRow, toConversation } from "./sqlite-rows.js";
import { StoreError } from "./store-error.js";

// The row-level statements the PostgreSQL store composes into its methods and transactions.

/** A message as first stored: nothing streamed, pinned or measured yet. */
export const newMessage = (
  fields: Pick<Message, "conversationId" | "role" | "content" | "status" | "createdAt" | "clientMessageId" | "runId" | "taskType">,
): Message => ({
  id: randomUUID(),
  ...fields,
  pinned: false,
  steps: null,
  finishReason: null,
  usage: null,
  metrics: null,
  error: null,
});

export async function insertMessage(q: Queryable, m: Message): Promise<void> {
  await q.query(
    `INSERT INTO messages (id, conversation_id, role, content, status, created_at, client_message_id, run_id, task_type)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [m.id, m.conversationId, m.role, m.content, m.status, m.createdAt, m.clientMessageId, m.runId, m.taskType],
  );
}

/** removes the messages after (and with, when `inclusive`) one of them; touches the conversation at `now` */
export async function truncateMessages(tx: PoolClient, conversationId: string, messageId: string, inclusive: boolean, now: number): Promise<number> {
  const { rows } = await tx.query<{ seq: number }>("SELECT seq FROM messages WHERE id = $1 AND conversation_id = $2", [messageId, conversationId]);
  if (!rows[0]) return 0;
  const { rowCount } = await tx.query(`DELETE FROM messages WHERE conversation_id = $1 AND seq ${inclusive ? ">=" : ">"} $2`, [conversationId, rows[0].seq]);
  await tx.query("UPDATE conversations SET updated_at = $1 WHERE id = $2", [now, conversationId]);
  return rowCount ?? 0;
}

/** a new title is not new activity: the conversation keeps its place in the list */
export async function renameConversation(q: Queryable, id: string, title: string): Promise<Conversation | null> {
  const { rows } = await q.query<ConversationRow>(
    `UPDATE conversations c SET title = $1 WHERE id = $2 AND deleted_at IS NULL RETURNING ${CONVERSATION_COLUMNS}`,
    [title, id],
  );
  return rows[0] ? toConversation(rows[0]) : null;
}

/** a conversation not deleted; `lock`: held until the transaction ends (its messages are added one at a time) */
export async function conversationRow(q: Queryable, id: string, lock = false): Promise<ConversationRow | null> {
  const { rows } = await q.query<ConversationRow>(
    `SELECT ${CONVERSATION_COLUMNS} FROM conversations c WHERE id = $1 AND deleted_at IS NULL${lock ? " FOR UPDATE" : ""}`,
    [id],
  );
  return rows[0] ?? null;
}

export async function requireConversation(q: Queryable, id: string, lock = false): Promise<ConversationRow> {
  const row = await conversationRow(q, id, lock);
  if (!row) throw new StoreError("not_found", `Conversation ${id} does not exist (or was deleted).`);
  return row;
}

export async function messageRow(q: Queryable, id: string): Promise<PgMessageRow | null> {
  const { rows } = await q.query<PgMessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.id = $1`, [id]);
  return rows[0] ?? null;
}

export async function messageByClientId(q: Queryable, conversationId: string, clientMessageId: string): Promise<Message | null> {
  const { rows } = await q.query<PgMessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.conversation_id = $1 AND m.client_message_id = $2`, [
    conversationId,
    clientMessageId,
  ]);
  return rows[0] ? toPgMessage(rows[0]) : null;
}

/** inside a transaction: the conversation row is locked first, so a conversation's messages are added one at a time */
export async function insertUserMessage(
  tx: PoolClient,
  files: PostgresAttachments,
  now: number,
  input: NewUserMessage,
): Promise<{ message: Message; duplicate: boolean }> {
  // one round trip for what the insert depends on (every send makes it): the locked conversation, whether this
  // message is a resend, whether it is the first question
  const { rows } = await tx.query<ConversationRow & { user_messages: number; resent: boolean }>(
    `SELECT ${CONVERSATION_COLUMNS},
       (SELECT COUNT(*)::int FROM messages m WHERE m.conversation_id = c.id AND m.role = 'user') AS user_messages,
       EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.client_message_id = $2) AS resent
     FROM conversations c WHERE c.id = $1 AND c.deleted_at IS NULL FOR UPDATE OF c`,
    [input.conversationId, input.clientMessageId],
  );
  const conversation = rows[0];
  if (!conversation) throw new StoreError("not_found", `Conversation ${input.conversationId} does not exist (or was deleted).`);
  if (conversation.resent) {
    const existing = await messageByClientId(tx, input.conversationId, input.clientMessageId);
    if (existing) return { message: await files.onMessage(tx, existing), duplicate: true };
  }
  const message = newMessage({ ...input, role: "user", status: "complete", createdAt: now, runId: null, taskType: null });
  // the first question titles an untitled conversation; the message and the conversation's touch go as one statement
  const title = conversation.user_messages === 0 && conversation.title.trim() === "" ? titleFromMessage(input.content) : null;
  await tx.query(
    `WITH inserted AS (
       INSERT INTO messages (id, conversation_id, role, content, status, created_at, client_message_id, run_id, task_type)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     )
     UPDATE conversations SET title = COALESCE($10, title), updated_at = $6 WHERE id = $2`,
    [
      message.id,
      message.conversationId,
      message.role,
      message.content,
      message.status,
      message.createdAt,
      message.clientMessageId,
      message.runId,
      message.taskType,
      title,
    ],
  );
  if (input.attachmentIds?.length) {
    const attachments = await files.bind(tx, input.conversationId, message.id, input.attachmentIds);
    if (attachments.length > 0) message.attachments = attachments;
  }
  return { message, duplicate: false };
}
