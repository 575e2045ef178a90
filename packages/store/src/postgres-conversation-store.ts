import { randomUUID } from "node:crypto";
import type { Attachment, Conversation, Message, PinnedFact, TaskType } from "@alma/protocol";
import type { Pool } from "pg";
import type {
  AssistantAppend,
  AssistantUpdate,
  ContextMessageRow,
  ConversationStore,
  ModelSpeedRow,
  NewAttachment,
  NewUserMessage,
  StoredDocument,
} from "./conversation-store.js";
import { describePostgresError } from "./database-unavailable-error.js";
import { PostgresAttachments } from "./postgres-attachments.js";
import { migratePostgres } from "./postgres-migrations.js";
import { inTransaction, openPostgresPool } from "./postgres-pool.js";
import { CONVERSATION_COLUMNS, jsonParam, MESSAGE_COLUMNS, type PgFactRow, type PgMessageRow, toPgFact, toPgMessage } from "./postgres-rows.js";
import {
  conversationRow,
  insertMessage,
  insertUserMessage,
  newMessage,
  messageByClientId,
  messageRow,
  renameConversation,
  requireConversation,
  truncateMessages,
} from "./postgres-queries.js";
import { listRecent, searchConversations } from "./postgres-search.js";
import { type ConversationRow, toConversation } from "./sqlite-rows.js";
import { StoreError } from "./store-error.js";
import { titleFromMessage } from "./title-from-message.js";

export interface PostgresConversationStoreOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** how long a deleted conversation can be restored; default 30 s */
  undoWindowMs?: number;
  /** injectable clock for tests */
  now?: () => number;
  /** pool size; default 10 */
  maxConnections?: number;
  /** a broken idle connection (the pool makes a new one) */
  onError?: (err: Error) => void;
}

// the unique (conversation, clientMessageId) key: a resend stored meanwhile by another instance
const UNIQUE_VIOLATION = "23505";

/** The store for several alma servers on one PostgreSQL database: a pool, migrations under an advisory lock. */
export class PostgresConversationStore implements ConversationStore {
  readonly kind = "postgres" as const;
  private readonly undoWindowMs: number;
  private readonly now: () => number;
  private readonly files: PostgresAttachments;
  private closed: Promise<void> | null = null;

  private constructor(
    readonly pool: Pool,
    private readonly url: string,
    options: PostgresConversationStoreOptions,
  ) {
    this.undoWindowMs = options.undoWindowMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.files = new PostgresAttachments(this.now);
  }

  /** connects (a DatabaseUnavailableError says why it cannot), applies the migrations, and returns the store */
  static async open(options: PostgresConversationStoreOptions): Promise<PostgresConversationStore> {
    const pool = await openPostgresPool({ url: options.url, max: options.maxConnections ?? 10, ...(options.onError ? { onError: options.onError } : {}) });
    try {
      await migratePostgres(pool);
    } catch (err) {
      await pool.end().catch(() => {});
      throw err;
    }
    return new PostgresConversationStore(pool, options.url, options);
  }

  async createConversation(title: string): Promise<Conversation> {
    const now = this.now();
    const id = randomUUID();
    await this.pool.query("INSERT INTO conversations (id, title, created_at, updated_at) VALUES ($1, $2, $3, $3)", [id, title, now]);
    return { id, title, createdAt: now, updatedAt: now, summary: null, summarizedCount: 0 };
  }

  async getConversation(id: string): Promise<Conversation | null> {
    const row = await conversationRow(this.pool, id);
    return row ? toConversation(row) : null;
  }

  async listConversations(query?: string): Promise<Array<Conversation & { snippet: string | null }>> {
    const q = query?.trim();
    return q ? searchConversations(this.pool, q) : listRecent(this.pool);
  }

  async renameConversation(id: string, title: string): Promise<Conversation | null> {
    return renameConversation(this.pool, id, title);
  }

  async deleteConversation(id: string, now = this.now()): Promise<{ restorableUntil: number } | null> {
    const { rowCount } = await this.pool.query("UPDATE conversations SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL", [now, id]);
    return rowCount ? { restorableUntil: now + this.undoWindowMs } : null;
  }

  async restoreConversation(id: string): Promise<Conversation | null> {
    const { rows } = await this.pool.query<ConversationRow>(
      `UPDATE conversations c SET deleted_at = NULL WHERE id = $1 AND deleted_at IS NOT NULL AND deleted_at > $2 RETURNING ${CONVERSATION_COLUMNS}`,
      [id, this.now() - this.undoWindowMs],
    );
    return rows[0] ? toConversation(rows[0]) : null;
  }

  async purgeDeleted(now = this.now()): Promise<number> {
    const { rowCount } = await this.pool.query("DELETE FROM conversations WHERE deleted_at IS NOT NULL AND deleted_at <= $1", [now - this.undoWindowMs]);
    return rowCount ?? 0;
  }

  async purgeAbandoned(createdBefore: number): Promise<number> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM conversations WHERE title = '' AND created_at < $1
         AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = conversations.id)
         AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.conversation_id = conversations.id)`,
      [createdBefore],
    );
    return rowCount ?? 0;
  }

  async updateSummary(id: string, summary: string | null, summarizedCount: number): Promise<void> {
    await this.pool.query("UPDATE conversations SET summary = $1, summarized_count = $2 WHERE id = $3", [summary, summarizedCount, id]);
  }

  async addUserMessage(input: NewUserMessage): Promise<{ message: Message; duplicate: boolean }> {
    try {
      return await inTransaction(this.pool, (tx) => insertUserMessage(tx, this.files, this.now(), input));
    } catch (err) {
      // two instances stored the same resend at once: the one that lost answers with the one stored
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
      const existing = await messageByClientId(this.pool, input.conversationId, input.clientMessageId);
      if (!existing) throw err;
      return { message: await this.files.onMessage(this.pool, existing), duplicate: true };
    }
  }

  async replaceUserMessage(input: NewUserMessage & { messageId: string }): Promise<{ message: Message; retitled: Conversation | null }> {
    return inTransaction(this.pool, async (tx) => {
      const conversation = await requireConversation(tx, input.conversationId, true);
      const target = await messageRow(tx, input.messageId);
      if (!target || target.conversation_id !== input.conversationId || target.role !== "user") {
        throw new StoreError("not_found", `message ${input.messageId} is not a user message of conversation ${input.conversationId}`);
      }
      const { rows: first } = await tx.query<{ id: string }>("SELECT id FROM messages WHERE conversation_id = $1 AND role = 'user' ORDER BY seq LIMIT 1", [
        input.conversationId,
      ]);
      // automatic: what the first message gave it (or no title yet); a title the user chose is kept
      const automatic = conversation.title.trim() === "" || conversation.title === titleFromMessage(target.content);
      // the edited message's files go with its new text; the later messages take theirs with them
      const kept = await this.files.release(tx, target.id);
      await truncateMessages(tx, input.conversationId, input.messageId, true, this.now());
      const { message } = await insertUserMessage(tx, this.files, this.now(), { ...input, attachmentIds: [...kept, ...(input.attachmentIds ?? [])] });
      if (first[0]?.id !== target.id || !automatic) return { message, retitled: null };
      const title = titleFromMessage(input.content);
      if (title === conversation.title) return { message, retitled: null };
      return { message, retitled: await renameConversation(tx, input.conversationId, title) };
    });
  }

  async findUserMessageByClientId(clientMessageId: string): Promise<Message | null> {
    const { rows } = await this.pool.query<PgMessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN conversations c ON c.id = m.conversation_id
       WHERE m.client_message_id = $1 AND m.role = 'user' AND c.deleted_at IS NULL ORDER BY m.seq DESC LIMIT 1`,
      [clientMessageId],
    );
    return rows[0] ? this.files.onMessage(this.pool, toPgMessage(rows[0])) : null;
  }

  async addAssistantMessage(input: { conversationId: string; runId: string; taskType: TaskType | null }): Promise<Message> {
    const message = newMessage({ ...input, role: "assistant", content: "", status: "streaming", createdAt: this.now(), clientMessageId: null });
    // one statement, one round trip (every send makes one): the conversation is touched and the answer inserted only
    // if it exists and is not deleted
    const { rowCount } = await this.pool.query(
      `WITH touched AS (UPDATE conversations SET updated_at = $5 WHERE id = $2 AND deleted_at IS NULL RETURNING id)
       INSERT INTO messages (id, conversation_id, role, content, status, created_at, client_message_id, run_id, task_type)
       SELECT $1, touched.id, 'assistant', '', 'streaming', $5, NULL, $3, $4 FROM touched`,
      [message.id, input.conversationId, input.runId, input.taskType, message.createdAt],
    );
    if (rowCount !== 1) throw new StoreError("not_found", `Conversation ${input.conversationId} does not exist (or was deleted).`);
    return message;
  }

  async updateAssistantMessage(id: string, update: AssistantUpdate): Promise<void> {
    // one UPDATE of the fields given: concurrent updates of other fields are not overwritten with what was read
    const sets: string[] = [];
    const values: unknown[] = [id];
    const set = (column: string, value: unknown, cast = "") => {
      values.push(value);
      sets.push(`${column} = $${values.length}${cast}`);
    };
    if (update.runId !== undefined) set("run_id", update.runId);
    if (update.content !== undefined) set("content", update.content);
    if (update.status !== undefined) set("status", update.status);
    if (update.steps !== undefined) set("steps", jsonParam(update.steps), "::jsonb");
    if (update.taskType !== undefined) set("task_type", update.taskType);
    if (update.finishReason !== undefined) set("finish_reason", update.finishReason);
    if (update.usage !== undefined) set("usage", jsonParam(update.usage), "::jsonb");
    if (update.metrics !== undefined) set("metrics", jsonParam(update.metrics), "::jsonb");
    if (update.error !== undefined) set("error", jsonParam(update.error), "::jsonb");
    if (sets.length === 0) return;
    await this.pool.query(`UPDATE messages SET ${sets.join(", ")} WHERE id = $1`, values);
  }

  async appendAssistantText(id: string, append: AssistantAppend): Promise<void> {
    // the stored text is neither read nor sent again; an answer no longer streaming is left alone
    if (append.steps === undefined) {
      if (append.delta.length === 0) return;
      await this.pool.query("UPDATE messages SET content = content || $2 WHERE id = $1 AND status = 'streaming'", [id, append.delta]);
      return;
    }
    await this.pool.query("UPDATE messages SET content = content || $2, steps = $3::jsonb WHERE id = $1 AND status = 'streaming'", [
      id,
      append.delta,
      jsonParam(append.steps),
    ]);
  }

  async getMessage(id: string): Promise<Message | null> {
    const row = await messageRow(this.pool, id);
    return row ? this.files.onMessage(this.pool, toPgMessage(row)) : null;
  }

  async listMessages(conversationId: string): Promise<Message[]> {
    const { rows } = await this.pool.query<PgMessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.conversation_id = $1 ORDER BY m.seq`, [
      conversationId,
    ]);
    return this.files.onMessages(this.pool, conversationId, rows.map(toPgMessage));
  }

  async listContextMessages(conversationId: string): Promise<ContextMessageRow[]> {
    const { rows } = await this.pool.query<ContextMessageRow>("SELECT id, role, content, status FROM messages WHERE conversation_id = $1 ORDER BY seq", [
      conversationId,
    ]);
    return rows;
  }

  async truncateAfter(conversationId: string, messageId: string, inclusive: boolean): Promise<number> {
    return inTransaction(this.pool, (tx) => truncateMessages(tx, conversationId, messageId, inclusive, this.now()));
  }

  async markStreamingInterrupted(): Promise<number> {
    const { rowCount } = await this.pool.query("UPDATE messages SET status = 'interrupted', finish_reason = 'interrupted' WHERE status = 'streaming'");
    return rowCount ?? 0;
  }

  async pinFact(input: { conversationId: string; text: string; messageId: string | null }): Promise<PinnedFact> {
    return inTransaction(this.pool, async (tx) => {
      await requireConversation(tx, input.conversationId);
      const fact: PinnedFact = { id: randomUUID(), conversationId: input.conversationId, text: input.text, messageId: input.messageId, createdAt: this.now() };
      await tx.query("INSERT INTO pinned_facts (id, conversation_id, text, message_id, created_at) VALUES ($1, $2, $3, $4, $5)", [
        fact.id,
        fact.conversationId,
        fact.text,
        fact.messageId,
        fact.createdAt,
      ]);
      if (fact.messageId) await tx.query("UPDATE messages SET pinned = TRUE WHERE id = $1", [fact.messageId]);
      return fact;
    });
  }

  async unpinFact(conversationId: string, factId: string): Promise<boolean> {
    return inTransaction(this.pool, async (tx) => {
      const { rows } = await tx.query<PgFactRow>("DELETE FROM pinned_facts WHERE id = $1 AND conversation_id = $2 RETURNING *", [factId, conversationId]);
      const fact = rows[0];
      if (!fact) return false;
      if (fact.message_id) {
        await tx.query("UPDATE messages SET pinned = EXISTS (SELECT 1 FROM pinned_facts WHERE message_id = $1) WHERE id = $1", [fact.message_id]);
      }
      return true;
    });
  }

  async listPinnedFacts(conversationId: string): Promise<PinnedFact[]> {
    const { rows } = await this.pool.query<PgFactRow>("SELECT * FROM pinned_facts WHERE conversation_id = $1 ORDER BY created_at, seq", [conversationId]);
    return rows.map(toPgFact);
  }

  async addAttachment(input: NewAttachment): Promise<Attachment> {
    return inTransaction(this.pool, async (tx) => {
      await requireConversation(tx, input.conversationId);
      return this.files.add(tx, input);
    });
  }

  async getAttachment(conversationId: string, attachmentId: string): Promise<Attachment | null> {
    return this.files.get(this.pool, conversationId, attachmentId);
  }

  async listAttachments(conversationId: string): Promise<Attachment[]> {
    return this.files.list(this.pool, conversationId);
  }

  async attachToMessage(conversationId: string, messageId: string, attachmentIds: readonly string[]): Promise<Attachment[]> {
    return inTransaction(this.pool, async (tx) => {
      await requireConversation(tx, conversationId);
      const target = await messageRow(tx, messageId);
      if (!target || target.conversation_id !== conversationId || target.role !== "user") {
        throw new StoreError("not_found", `message ${messageId} is not a user message of conversation ${conversationId}`);
      }
      return this.files.bind(tx, conversationId, messageId, attachmentIds);
    });
  }

  async removeAttachment(conversationId: string, attachmentId: string): Promise<boolean> {
    return inTransaction(this.pool, (tx) => this.files.remove(tx, conversationId, attachmentId));
  }

  async listDocuments(conversationId: string): Promise<StoredDocument[]> {
    return this.files.documents(this.pool, conversationId);
  }

  async loadModelSpeed(modelKey: string): Promise<ModelSpeedRow | null> {
    const { rows } = await this.pool.query<{ ttft_ms: number; tokens_per_second: number; samples: number; updated_at: number }>(
      "SELECT ttft_ms, tokens_per_second, samples, updated_at FROM model_speeds WHERE model_key = $1",
      [modelKey],
    );
    const row = rows[0];
    return row ? { ttftMs: row.ttft_ms, tokensPerSecond: row.tokens_per_second, samples: row.samples, updatedAt: row.updated_at } : null;
  }

  async saveModelSpeed(modelKey: string, speed: ModelSpeedRow): Promise<void> {
    await this.pool.query(
      `INSERT INTO model_speeds (model_key, ttft_ms, tokens_per_second, samples, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (model_key) DO UPDATE SET ttft_ms = excluded.ttft_ms, tokens_per_second = excluded.tokens_per_second,
         samples = excluded.samples, updated_at = excluded.updated_at`,
      [modelKey, speed.ttftMs, speed.tokensPerSecond, speed.samples, speed.updatedAt],
    );
  }

  async ping(): Promise<{ ok: true } | { ok: false; error: string }> {
    try {
      await this.pool.query("SELECT 1");
      return { ok: true };
    } catch (err) {
      return { ok: false, error: describePostgresError(err, this.url).message };
    }
  }

  async close(): Promise<void> {
    this.closed ??= this.pool.end();
    await this.closed;
  }
}
