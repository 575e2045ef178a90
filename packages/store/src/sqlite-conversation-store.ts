import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Conversation, Message, PinnedFact, TaskType } from "@alma/protocol";
import type { AssistantUpdate, ContextMessageRow, ConversationStore, ModelSpeedRow, NewUserMessage } from "./conversation-store.js";
import { migrate } from "./migrations.js";
import { StoreError } from "./store-error.js";
import { titleFromMessage } from "./title-from-message.js";

export interface SqliteConversationStoreOptions {
  /** a file path (parent folders are created) or ":memory:" */
  path: string;
  /** how long a deleted conversation can be restored; default 30 s */
  undoWindowMs?: number;
  /** injectable clock for tests */
  now?: () => number;
}

interface ConversationRow {
  id: string;
  title: string;
  created_at: number;
  updated_at: number;
  summary: string | null;
  summarized_count: number;
  deleted_at: number | null;
}

interface MessageRow {
  id: string;
  conversation_id: string;
  role: Message["role"];
  content: string;
  status: Message["status"];
  created_at: number;
  client_message_id: string | null;
  run_id: string | null;
  task_type: TaskType | null;
  pinned: number;
  steps: string | null;
  finish_reason: Message["finishReason"];
  usage: string | null;
  metrics: string | null;
  error: string | null;
}

interface FactRow {
  id: string;
  conversation_id: string;
  text: string;
  message_id: string | null;
  created_at: number;
}

const SNIPPET_CHARS = 120;

function toConversation(r: ConversationRow): Conversation {
  return {
    id: r.id,
    title: r.title,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    summary: r.summary,
    summarizedCount: r.summarized_count,
  };
}

function json<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

function toMessage(r: MessageRow): Message {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    role: r.role,
    content: r.content,
    status: r.status,
    createdAt: r.created_at,
    clientMessageId: r.client_message_id,
    runId: r.run_id,
    taskType: r.task_type,
    pinned: r.pinned === 1,
    steps: json(r.steps),
    finishReason: r.finish_reason,
    usage: json(r.usage),
    metrics: json(r.metrics),
    error: json(r.error),
  };
}

function toFact(r: FactRow): PinnedFact {
  return { id: r.id, conversationId: r.conversation_id, text: r.text, messageId: r.message_id, createdAt: r.created_at };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A short excerpt of `content` around the first case-insensitive occurrence of `query`. */
function excerpt(content: string, query: string | undefined): string {
  const flat = content.replace(/\s+/g, " ").trim();
  const at = query ? flat.toLowerCase().indexOf(query.toLowerCase()) : -1;
  if (at < 0) return flat.length > SNIPPET_CHARS ? `${flat.slice(0, SNIPPET_CHARS)}…` : flat;
  const start = Math.max(0, at - 40);
  const end = Math.min(flat.length, start + SNIPPET_CHARS);
  return `${start > 0 ? "…" : ""}${flat.slice(start, end)}${end < flat.length ? "…" : ""}`;
}

/** The embedded default store: one SQLite file in WAL mode, every statement prepared once. */
export class SqliteConversationStore implements ConversationStore {
  readonly db: Database.Database;
  private readonly undoWindowMs: number;
  private readonly now: () => number;
  private readonly stmt;

  constructor(options: SqliteConversationStoreOptions) {
    if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("foreign_keys = ON");
    this.db.pragma("busy_timeout = 5000");
    migrate(this.db);
    this.undoWindowMs = options.undoWindowMs ?? 30_000;
    this.now = options.now ?? Date.now;
    const db = this.db;
    this.stmt = {
      loadSpeed: db.prepare<[string], { ttft_ms: number; tokens_per_second: number; samples: number; updated_at: number }>(
        "SELECT ttft_ms, tokens_per_second, samples, updated_at FROM model_speeds WHERE model_key = ?",
      ),
      saveSpeed: db.prepare(
        `INSERT INTO model_speeds (model_key, ttft_ms, tokens_per_second, samples, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (model_key) DO UPDATE SET ttft_ms = excluded.ttft_ms, tokens_per_second = excluded.tokens_per_second,
           samples = excluded.samples, updated_at = excluded.updated_at`,
      ),
      insertConversation: db.prepare(
        "INSERT INTO conversations (id, title, created_at, updated_at, summary, summarized_count) VALUES (?, ?, ?, ?, NULL, 0)",
      ),
      getConversation: db.prepare<[string], ConversationRow>("SELECT * FROM conversations WHERE id = ? AND deleted_at IS NULL"),
      getConversationAny: db.prepare<[string], ConversationRow>("SELECT * FROM conversations WHERE id = ?"),
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
      rename: db.prepare("UPDATE conversations SET title = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL"),
      touch: db.prepare("UPDATE conversations SET updated_at = ? WHERE id = ?"),
      softDelete: db.prepare("UPDATE conversations SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL"),
      restore: db.prepare("UPDATE conversations SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL AND deleted_at > ?"),
      purge: db.prepare("DELETE FROM conversations WHERE deleted_at IS NOT NULL AND deleted_at <= ?"),
      updateSummary: db.prepare("UPDATE conversations SET summary = ?, summarized_count = ? WHERE id = ?"),
      insertMessage: db.prepare(
        `INSERT INTO messages (id, conversation_id, role, content, status, created_at, client_message_id, run_id, task_type, pinned)
         VALUES (@id, @conversationId, @role, @content, @status, @createdAt, @clientMessageId, @runId, @taskType, 0)`,
      ),
      findByClientId: db.prepare<[string, string], MessageRow>(
        "SELECT * FROM messages WHERE conversation_id = ? AND client_message_id = ?",
      ),
      findByClientIdAnywhere: db.prepare<[string], MessageRow>(
        `SELECT m.* FROM messages m JOIN conversations c ON c.id = m.conversation_id
         WHERE m.client_message_id = ? AND m.role = 'user' AND c.deleted_at IS NULL ORDER BY m.seq DESC LIMIT 1`,
      ),
      countUserMessages: db.prepare<[string], { n: number }>(
        "SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ? AND role = 'user'",
      ),
      getMessage: db.prepare<[string], MessageRow>("SELECT * FROM messages WHERE id = ?"),
      getMessageSeq: db.prepare<[string, string], { seq: number }>("SELECT seq FROM messages WHERE id = ? AND conversation_id = ?"),
      listMessages: db.prepare<[string], MessageRow>("SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq"),
      listContextMessages: db.prepare<[string], ContextMessageRow>(
        "SELECT id, role, content, status FROM messages WHERE conversation_id = ? ORDER BY seq",
      ),
      updateMessage: db.prepare(
        `UPDATE messages SET run_id = @runId, content = @content, status = @status, steps = @steps, task_type = @taskType,
         finish_reason = @finishReason, usage = @usage, metrics = @metrics, error = @error WHERE id = @id`,
      ),
      truncateFrom: db.prepare("DELETE FROM messages WHERE conversation_id = ? AND seq >= ?"),
      truncateAfter: db.prepare("DELETE FROM messages WHERE conversation_id = ? AND seq > ?"),
      markInterrupted: db.prepare(
        "UPDATE messages SET status = 'interrupted', finish_reason = 'interrupted' WHERE status = 'streaming'",
      ),
      insertFact: db.prepare("INSERT INTO pinned_facts (id, conversation_id, text, message_id, created_at) VALUES (?, ?, ?, ?, ?)"),
      getFact: db.prepare<[string, string], FactRow>("SELECT * FROM pinned_facts WHERE id = ? AND conversation_id = ?"),
      deleteFact: db.prepare("DELETE FROM pinned_facts WHERE id = ? AND conversation_id = ?"),
      listFacts: db.prepare<[string], FactRow>("SELECT * FROM pinned_facts WHERE conversation_id = ? ORDER BY created_at, rowid"),
      countFactsForMessage: db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM pinned_facts WHERE message_id = ?"),
      setPinned: db.prepare("UPDATE messages SET pinned = ? WHERE id = ?"),
    };
  }

  createConversation(title: string): Conversation {
    const now = this.now();
    const id = randomUUID();
    this.stmt.insertConversation.run(id, title, now, now);
    return { id, title, createdAt: now, updatedAt: now, summary: null, summarizedCount: 0 };
  }

  getConversation(id: string): Conversation | null {
    const row = this.stmt.getConversation.get(id);
    return row ? toConversation(row) : null;
  }

  listConversations(query?: string): Array<Conversation & { snippet: string | null }> {
    const q = query?.trim();
    if (!q) {
      return this.stmt.listConversations
        .all()
        .map((r) => ({ ...toConversation(r), snippet: r.last_content === null ? null : excerpt(r.last_content, undefined) }));
    }
    return this.stmt.searchConversations
      .all({ q: `%${escapeLike(q)}%` })
      .map((r) => ({ ...toConversation(r), snippet: r.match_content === null ? null : excerpt(r.match_content, q) }));
  }

  renameConversation(id: string, title: string): Conversation | null {
    const changed = this.stmt.rename.run(title, this.now(), id).changes;
    return changed ? this.getConversation(id) : null;
  }

  deleteConversation(id: string, now = this.now()): { restorableUntil: number } | null {
    const changed = this.stmt.softDelete.run(now, id).changes;
    return changed ? { restorableUntil: now + this.undoWindowMs } : null;
  }

  restoreConversation(id: string): Conversation | null {
    const changed = this.stmt.restore.run(id, this.now() - this.undoWindowMs).changes;
    return changed ? this.getConversation(id) : null;
  }

  purgeDeleted(now = this.now()): number {
    return this.stmt.purge.run(now - this.undoWindowMs).changes;
  }

  updateSummary(id: string, summary: string | null, summarizedCount: number): void {
    this.stmt.updateSummary.run(summary, summarizedCount, id);
  }

  addUserMessage(input: NewUserMessage): { message: Message; duplicate: boolean } {
    return this.db.transaction(() => {
      const existing = this.stmt.findByClientId.get(input.conversationId, input.clientMessageId);
      if (existing) return { message: toMessage(existing), duplicate: true };
      const conversation = this.stmt.getConversation.get(input.conversationId);
      if (!conversation) throw new StoreError("not_found", `Conversation ${input.conversationId} does not exist (or was deleted).`);
      const now = this.now();
      const message: Message = {
        id: randomUUID(),
        conversationId: input.conversationId,
        role: "user",
        content: input.content,
        status: "complete",
        createdAt: now,
        clientMessageId: input.clientMessageId,
        runId: null,
        taskType: null,
        pinned: false,
        steps: null,
        finishReason: null,
        usage: null,
        metrics: null,
        error: null,
      };
      const first = this.stmt.countUserMessages.get(input.conversationId)!.n === 0;
      this.stmt.insertMessage.run(message);
      if (first && conversation.title.trim() === "") {
        this.stmt.rename.run(titleFromMessage(input.content), now, input.conversationId);
      } else {
        this.stmt.touch.run(now, input.conversationId);
      }
      return { message, duplicate: false };
    })();
  }

  findUserMessageByClientId(clientMessageId: string): Message | null {
    const row = this.stmt.findByClientIdAnywhere.get(clientMessageId);
    return row ? toMessage(row) : null;
  }

  addAssistantMessage(input: { conversationId: string; runId: string; taskType: TaskType | null }): Message {
    if (!this.stmt.getConversation.get(input.conversationId)) {
      throw new StoreError("not_found", `Conversation ${input.conversationId} does not exist (or was deleted).`);
    }
    const now = this.now();
    const message: Message = {
      id: randomUUID(),
      conversationId: input.conversationId,
      role: "assistant",
      content: "",
      status: "streaming",
      createdAt: now,
      clientMessageId: null,
      runId: input.runId,
      taskType: input.taskType,
      pinned: false,
      steps: null,
      finishReason: null,
      usage: null,
      metrics: null,
      error: null,
    };
    this.stmt.insertMessage.run(message);
    this.stmt.touch.run(now, input.conversationId);
    return message;
  }

  updateAssistantMessage(id: string, update: AssistantUpdate): void {
    const row = this.stmt.getMessage.get(id);
    if (!row) return;
    const m = toMessage(row);
    const pick = <K extends keyof AssistantUpdate>(k: K, current: NonNullable<AssistantUpdate[K]> | null) =>
      update[k] === undefined ? current : update[k];
    const str = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
    this.stmt.updateMessage.run({
      id,
      runId: update.runId ?? m.runId,
      content: pick("content", m.content),
      status: pick("status", m.status),
      steps: str(pick("steps", m.steps)),
      taskType: pick("taskType", m.taskType),
      finishReason: pick("finishReason", m.finishReason),
      usage: str(pick("usage", m.usage)),
      metrics: str(pick("metrics", m.metrics)),
      error: str(pick("error", m.error)),
    });
  }

  getMessage(id: string): Message | null {
    const row = this.stmt.getMessage.get(id);
    return row ? toMessage(row) : null;
  }

  listMessages(conversationId: string): Message[] {
    return this.stmt.listMessages.all(conversationId).map(toMessage);
  }

  listContextMessages(conversationId: string): ContextMessageRow[] {
    return this.stmt.listContextMessages.all(conversationId);
  }

  truncateAfter(conversationId: string, messageId: string, inclusive: boolean): number {
    return this.db.transaction(() => {
      const at = this.stmt.getMessageSeq.get(messageId, conversationId);
      if (!at) return 0;
      const removed = (inclusive ? this.stmt.truncateFrom : this.stmt.truncateAfter).run(conversationId, at.seq).changes;
      this.stmt.touch.run(this.now(), conversationId);
      return removed;
    })();
  }

  markStreamingInterrupted(): number {
    return this.stmt.markInterrupted.run().changes;
  }

  pinFact(input: { conversationId: string; text: string; messageId: string | null }): PinnedFact {
    return this.db.transaction(() => {
      if (!this.stmt.getConversation.get(input.conversationId)) {
        throw new StoreError("not_found", `Conversation ${input.conversationId} does not exist (or was deleted).`);
      }
      const fact: PinnedFact = {
        id: randomUUID(),
        conversationId: input.conversationId,
        text: input.text,
        messageId: input.messageId,
        createdAt: this.now(),
      };
      this.stmt.insertFact.run(fact.id, fact.conversationId, fact.text, fact.messageId, fact.createdAt);
      if (fact.messageId) this.stmt.setPinned.run(1, fact.messageId);
      return fact;
    })();
  }

  unpinFact(conversationId: string, factId: string): boolean {
    return this.db.transaction(() => {
      const fact = this.stmt.getFact.get(factId, conversationId);
      if (!fact) return false;
      this.stmt.deleteFact.run(factId, conversationId);
      if (fact.message_id && this.stmt.countFactsForMessage.get(fact.message_id)!.n === 0) {
        this.stmt.setPinned.run(0, fact.message_id);
      }
      return true;
    })();
  }

  listPinnedFacts(conversationId: string): PinnedFact[] {
    return this.stmt.listFacts.all(conversationId).map(toFact);
  }

  loadModelSpeed(modelKey: string): ModelSpeedRow | null {
    const row = this.stmt.loadSpeed.get(modelKey);
    return row ? { ttftMs: row.ttft_ms, tokensPerSecond: row.tokens_per_second, samples: row.samples, updatedAt: row.updated_at } : null;
  }

  saveModelSpeed(modelKey: string, speed: ModelSpeedRow): void {
    this.stmt.saveSpeed.run(modelKey, speed.ttftMs, speed.tokensPerSecond, speed.samples, speed.updatedAt);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
