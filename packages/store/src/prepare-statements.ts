import type Database from "better-sqlite3";
import type { ContextMessageRow } from "./conversation-store.js";
import type { ConversationRow, FactRow, MessageRow } from "./sqlite-rows.js";

/** Every statement the store runs, prepared once per database. */
export function prepareStatements(db: Database.Database) {
  return {
    loadSpeed: db.prepare<[string], { ttft_ms: number; tokens_per_second: number; samples: number; updated_at: number }>(
      "SELECT ttft_ms, tokens_per_second, samples, updated_at FROM model_speeds WHERE model_key = ?",
    ),
    saveSpeed: db.prepare(
      `INSERT INTO model_speeds (model_key, ttft_ms, tokens_per_second, samples, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (model_key) DO UPDATE SET ttft_ms = excluded.ttft_ms, tokens_per_second = excluded.tokens_per_second,
         samples = excluded.samples, updated_at = excluded.updated_at`,
    ),
    insertConversation: db.prepare("INSERT INTO conversations (id, title, created_at, updated_at, summary, summarized_count) VALUES (?, ?, ?, ?, NULL, 0)"),
    getConversation: db.prepare<[string], ConversationRow>("SELECT * FROM conversations WHERE id = ? AND deleted_at IS NULL"),
    listConversations: db.prepare<[], ConversationRow & { last_content: string | null }>(
      `SELECT c.*, (SELECT content FROM messages m WHERE m.conversation_id = c.id ORDER BY seq DESC LIMIT 1) AS last_content
       FROM conversations c WHERE deleted_at IS NULL ORDER BY updated_at DESC, rowid DESC`,
    ),
    searchConversations: db.prepare<{ q: string }, ConversationRow & { match_content: string | null }>(
      `SELECT c.*, (SELECT content FROM messages m WHERE m.conversation_id = c.id AND m.content LIKE @q ESCAPE '\\' ORDER BY seq DESC LIMIT 1) AS match_content
       FROM conversations c
       WHERE c.deleted_at IS NULL AND (c.title LIKE @q ESCAPE '\\'
         OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.content LIKE @q ESCAPE '\\'))
       ORDER BY c.updated_at DESC, c.rowid DESC`,
    ),
    // a new title is not new activity: the conversation keeps its place in the list
    rename: db.prepare("UPDATE conversations SET title = ? WHERE id = ? AND deleted_at IS NULL"),
    touch: db.prepare("UPDATE conversations SET updated_at = ? WHERE id = ?"),
    softDelete: db.prepare("UPDATE conversations SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL"),
    restore: db.prepare("UPDATE conversations SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL AND deleted_at > ?"),
    purge: db.prepare("DELETE FROM conversations WHERE deleted_at IS NOT NULL AND deleted_at <= ?"),
    purgeAbandoned: db.prepare(
      `DELETE FROM conversations WHERE title = '' AND created_at < ?
         AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = conversations.id)
         AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.conversation_id = conversations.id)`,
    ),
    updateSummary: db.prepare("UPDATE conversations SET summary = ?, summarized_count = ? WHERE id = ?"),
    insertMessage: db.prepare(
      `INSERT INTO messages (id, conversation_id, role, content, status, created_at, client_message_id, run_id, task_type, pinned)
       VALUES (@id, @conversationId, @role, @content, @status, @createdAt, @clientMessageId, @runId, @taskType, 0)`,
    ),
    findByClientId: db.prepare<[string, string], MessageRow>("SELECT * FROM messages WHERE conversation_id = ? AND client_message_id = ?"),
    findByClientIdAnywhere: db.prepare<[string], MessageRow>(
      `SELECT m.* FROM messages m JOIN conversations c ON c.id = m.conversation_id
       WHERE m.client_message_id = ? AND m.role = 'user' AND c.deleted_at IS NULL ORDER BY m.seq DESC LIMIT 1`,
    ),
    countUserMessages: db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ? AND role = 'user'"),
    getMessage: db.prepare<[string], MessageRow>("SELECT * FROM messages WHERE id = ?"),
    getMessageSeq: db.prepare<[string, string], { seq: number }>("SELECT seq FROM messages WHERE id = ? AND conversation_id = ?"),
    listMessages: db.prepare<[string], MessageRow>("SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq"),
    listContextMessages: db.prepare<[string], ContextMessageRow>("SELECT id, role, content, status FROM messages WHERE conversation_id = ? ORDER BY seq"),
    updateMessage: db.prepare(
      `UPDATE messages SET run_id = @runId, content = @content, status = @status, steps = @steps, task_type = @taskType,
       finish_reason = @finishReason, usage = @usage, metrics = @metrics, error = @error WHERE id = @id`,
    ),
    // a flush appends: the stored text is neither read nor sent again; an answer no longer streaming is left alone
    appendContent: db.prepare<{ id: string; delta: string }>("UPDATE messages SET content = content || @delta WHERE id = @id AND status = 'streaming'"),
    appendContentAndSteps: db.prepare<{ id: string; delta: string; steps: string | null }>(
      "UPDATE messages SET content = content || @delta, steps = @steps WHERE id = @id AND status = 'streaming'",
    ),
    truncateFrom: db.prepare("DELETE FROM messages WHERE conversation_id = ? AND seq >= ?"),
    truncateAfter: db.prepare("DELETE FROM messages WHERE conversation_id = ? AND seq > ?"),
    markInterrupted: db.prepare("UPDATE messages SET status = 'interrupted', finish_reason = 'interrupted' WHERE status = 'streaming'"),
    insertFact: db.prepare("INSERT INTO pinned_facts (id, conversation_id, text, message_id, created_at) VALUES (?, ?, ?, ?, ?)"),
    getFact: db.prepare<[string, string], FactRow>("SELECT * FROM pinned_facts WHERE id = ? AND conversation_id = ?"),
    deleteFact: db.prepare("DELETE FROM pinned_facts WHERE id = ? AND conversation_id = ?"),
    listFacts: db.prepare<[string], FactRow>("SELECT * FROM pinned_facts WHERE conversation_id = ? ORDER BY created_at, rowid"),
    countFactsForMessage: db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM pinned_facts WHERE message_id = ?"),
    setPinned: db.prepare("UPDATE messages SET pinned = ? WHERE id = ?"),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
