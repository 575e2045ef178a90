import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Attachment, Conversation, Message, PinnedFact, TaskType } from "@alma/protocol";
import { excerpt, likePattern } from "./conversation-search.js";
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
import { migrate } from "./migrations.js";
import { prepareStatements, type Statements } from "./prepare-statements.js";
import { SqliteAttachments } from "./sqlite-attachments.js";
import { toConversation, toFact, toMessage, type ConversationRow } from "./sqlite-rows.js";
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

/** A message as first stored: nothing streamed, pinned or measured yet. */
function newMessage(fields: Pick<Message, "conversationId" | "role" | "content" | "status" | "createdAt" | "clientMessageId" | "runId" | "taskType">): Message {
  return { id: randomUUID(), ...fields, pinned: false, steps: null, finishReason: null, usage: null, metrics: null, error: null };
}

/** The embedded default store: one SQLite file in WAL mode, every statement prepared once; synchronous inside, async outside. */
export class SqliteConversationStore implements ConversationStore {
  readonly kind = "sqlite" as const;
  readonly db: Database.Database;
  private readonly undoWindowMs: number;
  private readonly now: () => number;
  private readonly stmt: Statements;
  private readonly files: SqliteAttachments;

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
    this.stmt = prepareStatements(this.db);
    this.files = new SqliteAttachments(this.db, this.now);
  }

  async createConversation(title: string): Promise<Conversation> {
    const now = this.now();
    const id = randomUUID();
    this.stmt.insertConversation.run(id, title, now, now);
    return { id, title, createdAt: now, updatedAt: now, summary: null, summarizedCount: 0 };
  }

  async getConversation(id: string): Promise<Conversation | null> {
    return this.conversation(id);
  }

  private conversation(id: string): Conversation | null {
    const row = this.stmt.getConversation.get(id);
    return row ? toConversation(row) : null;
  }

  async listConversations(query?: string): Promise<Array<Conversation & { snippet: string | null }>> {
    const q = query?.trim();
    if (!q) {
      return this.stmt.listConversations
        .all()
        .map((r) => ({ ...toConversation(r), snippet: r.last_content === null ? null : excerpt(r.last_content, undefined) }));
    }
    return this.stmt.searchConversations
      .all({ q: likePattern(q) })
      .map((r) => ({ ...toConversation(r), snippet: r.match_content === null ? null : excerpt(r.match_content, q) }));
  }

  async renameConversation(id: string, title: string): Promise<Conversation | null> {
    return this.rename(id, title);
  }

  private rename(id: string, title: string): Conversation | null {
    const changed = this.stmt.rename.run(title, id).changes;
    return changed ? this.conversation(id) : null;
  }

  async deleteConversation(id: string, now = this.now()): Promise<{ restorableUntil: number } | null> {
    const changed = this.stmt.softDelete.run(now, id).changes;
    return changed ? { restorableUntil: now + this.undoWindowMs } : null;
  }

  async restoreConversation(id: string): Promise<Conversation | null> {
    const changed = this.stmt.restore.run(id, this.now() - this.undoWindowMs).changes;
    return changed ? this.conversation(id) : null;
  }

  async purgeDeleted(now = this.now()): Promise<number> {
    return this.stmt.purge.run(now - this.undoWindowMs).changes;
  }

  async purgeAbandoned(createdBefore: number): Promise<number> {
    return this.stmt.purgeAbandoned.run(createdBefore).changes;
  }

  async updateSummary(id: string, summary: string | null, summarizedCount: number): Promise<void> {
    this.stmt.updateSummary.run(summary, summarizedCount, id);
  }

  async addUserMessage(input: NewUserMessage): Promise<{ message: Message; duplicate: boolean }> {
    return this.insertUserMessage(input);
  }

  /** the unique (conversation, clientMessageId) makes a resend a duplicate; the transaction binds the files all or none */
  private insertUserMessage(input: NewUserMessage): { message: Message; duplicate: boolean } {
    return this.db.transaction(() => {
      const existing = this.stmt.findByClientId.get(input.conversationId, input.clientMessageId);
      if (existing) return { message: toMessage(existing), duplicate: true };
      const conversation = this.requireConversation(input.conversationId);
      const now = this.now();
      const message = newMessage({
        conversationId: input.conversationId,
        role: "user",
        content: input.content,
        status: "complete",
        createdAt: now,
        clientMessageId: input.clientMessageId,
        runId: null,
        taskType: null,
      });
      const first = this.stmt.countUserMessages.get(input.conversationId)!.n === 0;
      this.stmt.insertMessage.run(message);
      if (input.attachmentIds?.length) {
        const attachments = this.files.bind(input.conversationId, message.id, input.attachmentIds);
        if (attachments.length > 0) message.attachments = attachments;
      }
      if (first && conversation.title.trim() === "") this.stmt.rename.run(titleFromMessage(input.content), input.conversationId);
      this.stmt.touch.run(now, input.conversationId);
      return { message, duplicate: false };
    })();
  }

  async replaceUserMessage(input: NewUserMessage & { messageId: string }): Promise<{ message: Message; retitled: Conversation | null }> {
    return this.db.transaction(() => {
      const conversation = this.requireConversation(input.conversationId);
      const target = this.message(input.messageId);
      if (!target || target.conversationId !== input.conversationId || target.role !== "user") {
        throw new StoreError("not_found", `message ${input.messageId} is not a user message of conversation ${input.conversationId}`);
      }
      const firstQuestion = this.stmt.listContextMessages.all(input.conversationId).find((m) => m.role === "user");
      // automatic: what the first message gave it (or no title yet); a title the user chose is kept
      const automatic = conversation.title.trim() === "" || conversation.title === titleFromMessage(target.content);
      // the edited message's files go with its new text; the later messages take theirs with them
      const kept = this.files.release(target.id);
      this.truncate(input.conversationId, input.messageId, true);
      const { message } = this.insertUserMessage({ ...input, attachmentIds: [...kept, ...(input.attachmentIds ?? [])] });
      if (firstQuestion?.id !== target.id || !automatic) return { message, retitled: null };
      const title = titleFromMessage(input.content);
      if (title === conversation.title) return { message, retitled: null };
      return { message, retitled: this.rename(input.conversationId, title) };
    })();
  }

  async findUserMessageByClientId(clientMessageId: string): Promise<Message | null> {
    const row = this.stmt.findByClientIdAnywhere.get(clientMessageId);
    return row ? this.files.onMessage(toMessage(row)) : null;
  }

  async addAssistantMessage(input: { conversationId: string; runId: string; taskType: TaskType | null }): Promise<Message> {
    this.requireConversation(input.conversationId);
    const now = this.now();
    const message = newMessage({
      conversationId: input.conversationId,
      role: "assistant",
      content: "",
      status: "streaming",
      createdAt: now,
      clientMessageId: null,
      runId: input.runId,
      taskType: input.taskType,
    });
    this.stmt.insertMessage.run(message);
    this.stmt.touch.run(now, input.conversationId);
    return message;
  }

  async updateAssistantMessage(id: string, update: AssistantUpdate): Promise<void> {
    const row = this.stmt.getMessage.get(id);
    if (!row) return;
    const m = toMessage(row);
    const pick = <K extends keyof AssistantUpdate>(k: K, current: NonNullable<AssistantUpdate[K]> | null) => (update[k] === undefined ? current : update[k]);
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

  async appendAssistantText(id: string, append: AssistantAppend): Promise<void> {
    if (append.steps === undefined) {
      if (append.delta.length > 0) this.stmt.appendContent.run({ id, delta: append.delta });
      return;
    }
    this.stmt.appendContentAndSteps.run({ id, delta: append.delta, steps: append.steps === null ? null : JSON.stringify(append.steps) });
  }

  async getMessage(id: string): Promise<Message | null> {
    return this.message(id);
  }

  private message(id: string): Message | null {
    const row = this.stmt.getMessage.get(id);
    return row ? this.files.onMessage(toMessage(row)) : null;
  }

  async listMessages(conversationId: string): Promise<Message[]> {
    return this.files.onMessages(conversationId, this.stmt.listMessages.all(conversationId).map(toMessage));
  }

  async listContextMessages(conversationId: string): Promise<ContextMessageRow[]> {
    return this.stmt.listContextMessages.all(conversationId);
  }

  async truncateAfter(conversationId: string, messageId: string, inclusive: boolean): Promise<number> {
    return this.truncate(conversationId, messageId, inclusive);
  }

  private truncate(conversationId: string, messageId: string, inclusive: boolean): number {
    return this.db.transaction(() => {
      const at = this.stmt.getMessageSeq.get(messageId, conversationId);
      if (!at) return 0;
      const removed = (inclusive ? this.stmt.truncateFrom : this.stmt.truncateAfter).run(conversationId, at.seq).changes;
      this.stmt.touch.run(this.now(), conversationId);
      return removed;
    })();
  }

  async markStreamingInterrupted(): Promise<number> {
    return this.stmt.markInterrupted.run().changes;
  }

  async pinFact(input: { conversationId: string; text: string; messageId: string | null }): Promise<PinnedFact> {
    return this.db.transaction(() => {
      this.requireConversation(input.conversationId);
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

  async unpinFact(conversationId: string, factId: string): Promise<boolean> {
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

  async listPinnedFacts(conversationId: string): Promise<PinnedFact[]> {
    return this.stmt.listFacts.all(conversationId).map(toFact);
  }

  async addAttachment(input: NewAttachment): Promise<Attachment> {
    return this.db.transaction(() => {
      this.requireConversation(input.conversationId);
      return this.files.add(input);
    })();
  }

  async getAttachment(conversationId: string, attachmentId: string): Promise<Attachment | null> {
    return this.files.get(conversationId, attachmentId);
  }

  async listAttachments(conversationId: string): Promise<Attachment[]> {
    return this.files.list(conversationId);
  }

  async attachToMessage(conversationId: string, messageId: string, attachmentIds: readonly string[]): Promise<Attachment[]> {
    return this.db.transaction(() => {
      this.requireConversation(conversationId);
      const target = this.stmt.getMessage.get(messageId);
      if (!target || target.conversation_id !== conversationId || target.role !== "user") {
        throw new StoreError("not_found", `message ${messageId} is not a user message of conversation ${conversationId}`);
      }
      return this.files.bind(conversationId, messageId, attachmentIds);
    })();
  }

  async removeAttachment(conversationId: string, attachmentId: string): Promise<boolean> {
    return this.db.transaction(() => this.files.remove(conversationId, attachmentId))();
  }

  async listDocuments(conversationId: string): Promise<StoredDocument[]> {
    return this.files.documents(conversationId);
  }

  async loadModelSpeed(modelKey: string): Promise<ModelSpeedRow | null> {
    const row = this.stmt.loadSpeed.get(modelKey);
    return row ? { ttftMs: row.ttft_ms, tokensPerSecond: row.tokens_per_second, samples: row.samples, updatedAt: row.updated_at } : null;
  }

  async saveModelSpeed(modelKey: string, speed: ModelSpeedRow): Promise<void> {
    this.stmt.saveSpeed.run(modelKey, speed.ttftMs, speed.tokensPerSecond, speed.samples, speed.updatedAt);
  }

  private requireConversation(id: string): ConversationRow {
    const row = this.stmt.getConversation.get(id);
    if (!row) throw new StoreError("not_found", `Conversation ${id} does not exist (or was deleted).`);
    return row;
  }

  async ping(): Promise<{ ok: true } | { ok: false; error: string }> {
    try {
      this.db.prepare("SELECT 1").get();
      return { ok: true };
    } catch (err) {
      return { ok: false, error: `SQLite cannot be read: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
