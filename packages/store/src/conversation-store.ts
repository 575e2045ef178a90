import type { Conversation, Message, MessageStatus, PinnedFact, RunMetrics, StepRecord, TaskType, FinishReason, Usage } from "@alma/protocol";

export interface NewUserMessage {
  conversationId: string;
  clientMessageId: string;
  content: string;
}

export interface AssistantUpdate {
  /** a continued answer is produced by a new run */
  runId?: string;
  content?: string;
  status?: MessageStatus;
  steps?: StepRecord[] | null;
  taskType?: TaskType | null;
  finishReason?: FinishReason | null;
  usage?: Usage | null;
  metrics?: RunMetrics | null;
  error?: { code: string; message: string } | null;
}

/** A stored message as far as building a model request needs it. */
export interface ContextMessageRow {
  id: string;
  role: Message["role"];
  content: string;
  status: MessageStatus;
}

/**
 * The persistence boundary: SQLite today, a server database later. Every method is synchronous
 * because SQLite (better-sqlite3) is; an async backend would wrap it.
 */
export interface ModelSpeedRow {
  ttftMs: number;
  tokensPerSecond: number;
  samples: number;
  updatedAt: number;
}

export interface ConversationStore {
  createConversation(title: string): Conversation;
  getConversation(id: string): Conversation | null;
  /** newest first; `query` matches titles and message content */
  listConversations(query?: string): Array<Conversation & { snippet: string | null }>;
  renameConversation(id: string, title: string): Conversation | null;
  /** soft delete: restorable until `restorableUntil`, then purged */
  deleteConversation(id: string, now?: number): { restorableUntil: number } | null;
  restoreConversation(id: string): Conversation | null;
  purgeDeleted(now?: number): number;
  updateSummary(id: string, summary: string | null, summarizedCount: number): void;

  /** stores the user message unless one with this clientMessageId exists (then returns it with duplicate: true) */
  addUserMessage(input: NewUserMessage): { message: Message; duplicate: boolean };
  /** the user message a client sent with this id in any conversation (a resend of a message that started a new conversation) */
  findUserMessageByClientId(clientMessageId: string): Message | null;
  addAssistantMessage(input: { conversationId: string; runId: string; taskType: TaskType | null }): Message;
  updateAssistantMessage(id: string, update: AssistantUpdate): void;
  getMessage(id: string): Message | null;
  listMessages(conversationId: string): Message[];
  /** the fields a model request is built from, oldest first: cheaper than `listMessages` (no JSON columns) */
  listContextMessages(conversationId: string): ContextMessageRow[];
  /**
   * An edit: the user message `messageId` and everything after it are replaced by the new message. When it was the
   * conversation's first question and the title was the automatic one (made from it, or none), the title follows
   * the new text: `retitled` is then the conversation as renamed, else null.
   */
  replaceUserMessage(input: NewUserMessage & { messageId: string }): { message: Message; retitled: Conversation | null };
  /** removes every message after (and including, when `inclusive`) the given one: for edit and regenerate */
  truncateAfter(conversationId: string, messageId: string, inclusive: boolean): number;
  /** on startup: messages left `streaming` by a crash become `interrupted` */
  markStreamingInterrupted(): number;

  pinFact(input: { conversationId: string; text: string; messageId: string | null }): PinnedFact;
  unpinFact(conversationId: string, factId: string): boolean;
  listPinnedFacts(conversationId: string): PinnedFact[];

  /** a model's measured pace (time to first token, decode rate), kept across restarts; null when never measured */
  loadModelSpeed(modelKey: string): ModelSpeedRow | null;
  saveModelSpeed(modelKey: string, speed: ModelSpeedRow): void;

  close(): void;
}
