import type { Attachment, Conversation, Message, MessageStatus, PinnedFact, RunMetrics, StepRecord, TaskType, FinishReason, Usage } from "@alma/protocol";

export interface NewUserMessage {
  conversationId: string;
  clientMessageId: string;
  content: string;
  /** files uploaded to the conversation and not sent yet, bound to this message in the same transaction */
  attachmentIds?: readonly string[];
}

/** Where one page's text lies in a document's text (1-based page numbers, character offsets). */
export interface PageSpan {
  number: number;
  start: number;
  end: number;
}

/** An uploaded file as extracted: what the store keeps of it (the file's bytes themselves are not kept). */
export interface NewAttachment {
  conversationId: string;
  name: string;
  kind: Attachment["kind"];
  mediaType: string;
  /** the uploaded file's size */
  bytes: number;
  /** the extracted text, what runs read */
  text: string;
  /** PDFs: each page's span in `text`; null for other kinds */
  pages: readonly PageSpan[] | null;
  /** the text's size in tokens (estimated) */
  tokens: number;
}

/** A sent attachment with its text, as a run reads it (the agent's RunDocument). */
export interface StoredDocument {
  id: string;
  name: string;
  kind: Attachment["kind"];
  text: string;
  /** PDFs only */
  pages?: PageSpan[];
  messageId: string | null;
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

/**
 * A streaming answer's growth since its last flush: the new text is appended to what is stored (the text stored so
 * far is never sent again), the steps are written only when given (when they changed).
 */
export interface AssistantAppend {
  /** the answer's text produced since the last flush ("" when only the steps changed) */
  delta: string;
  /** the steps with their tools as they are now, when they changed since the last flush */
  steps?: StepRecord[] | null;
}

/** A stored message as far as building a model request needs it. */
export interface ContextMessageRow {
  id: string;
  role: Message["role"];
  content: string;
  status: MessageStatus;
}

export interface ModelSpeedRow {
  ttftMs: number;
  tokensPerSecond: number;
  samples: number;
  updatedAt: number;
}

/**
 * The persistence boundary: SQLite (embedded default) or PostgreSQL (several servers on one database). Every method
 * is asynchronous because PostgreSQL drivers are; SQLite answers at once behind the same promises. A method that
 * changes several rows does it in one transaction.
 */
export interface ConversationStore {
  /** which database holds the data */
  readonly kind: "sqlite" | "postgres";
  createConversation(title: string): Promise<Conversation>;
  getConversation(id: string): Promise<Conversation | null>;
  /** newest first; `query` matches titles and message content */
  listConversations(query?: string): Promise<Array<Conversation & { snippet: string | null }>>;
  renameConversation(id: string, title: string): Promise<Conversation | null>;
  /** soft delete: restorable until `restorableUntil`, then purged */
  deleteConversation(id: string, now?: number): Promise<{ restorableUntil: number } | null>;
  restoreConversation(id: string): Promise<Conversation | null>;
  purgeDeleted(now?: number): Promise<number>;
  /**
   * Removes conversations created before `createdBefore` that never got a title, a message or a file: what a page
   * leaves when it made a conversation to upload to and every upload was refused (or the tab was closed).
   */
  purgeAbandoned(createdBefore: number): Promise<number>;
  updateSummary(id: string, summary: string | null, summarizedCount: number): Promise<void>;

  /** stores the user message unless one with this clientMessageId exists (then returns it with duplicate: true) */
  addUserMessage(input: NewUserMessage): Promise<{ message: Message; duplicate: boolean }>;
  /** the user message a client sent with this id in any conversation (a resend of a message that started a new conversation) */
  findUserMessageByClientId(clientMessageId: string): Promise<Message | null>;
  addAssistantMessage(input: { conversationId: string; runId: string; taskType: TaskType | null }): Promise<Message>;
  updateAssistantMessage(id: string, update: AssistantUpdate): Promise<void>;
  /**
   * The live run's periodic flush (crash safety): appends `delta` to the answer's content and writes the steps when
   * given, without reading or rewriting the rest. Only an answer still `streaming` is changed, so a flush that lands
   * after the final update (or after another instance marked the answer interrupted) changes nothing: the final
   * `updateAssistantMessage`, which writes the whole content, is what stays.
   */
  appendAssistantText(id: string, append: AssistantAppend): Promise<void>;
  getMessage(id: string): Promise<Message | null>;
  /** oldest first; a user message sent with files carries them as `attachments` */
  listMessages(conversationId: string): Promise<Message[]>;
  /** the fields a model request is built from, oldest first: cheaper than `listMessages` (no JSON columns) */
  listContextMessages(conversationId: string): Promise<ContextMessageRow[]>;
  /**
   * An edit: the user message `messageId` and everything after it are replaced by the new message. When it was the
   * conversation's first question and the title was the automatic one (made from it, or none), the title follows
   * the new text: `retitled` is then the conversation as renamed, else null. The edited message's attachments
   * move to the new one; the later messages' attachments are removed with them.
   */
  replaceUserMessage(input: NewUserMessage & { messageId: string }): Promise<{ message: Message; retitled: Conversation | null }>;
  /** removes every message after (and including, when `inclusive`) the given one, with their attachments: for edit and regenerate */
  truncateAfter(conversationId: string, messageId: string, inclusive: boolean): Promise<number>;
  /** on startup: messages left `streaming` by a crash become `interrupted` */
  markStreamingInterrupted(): Promise<number>;

  pinFact(input: { conversationId: string; text: string; messageId: string | null }): Promise<PinnedFact>;
  unpinFact(conversationId: string, factId: string): Promise<boolean>;
  listPinnedFacts(conversationId: string): Promise<PinnedFact[]>;

  /**
   * Attachments. A file is uploaded to a conversation (unsent: messageId null), then bound to the user message that
   * sends it; a sent one is kept with its message. Files of a deleted conversation are hidden with it, come back with
   * a restore and go with the purge. A message removed by an edit or a regenerate takes its files with it; an edited
   * message's own files move to the message that replaces it.
   */
  addAttachment(input: NewAttachment): Promise<Attachment>;
  /** one of the conversation's attachments (metadata), or null */
  getAttachment(conversationId: string, attachmentId: string): Promise<Attachment | null>;
  /** the conversation's attachments, sent and unsent, oldest first: metadata only, no text */
  listAttachments(conversationId: string): Promise<Attachment[]>;
  /**
   * binds unsent attachments of the conversation to one of its user messages, all or none: an id that is not the
   * conversation's (or was removed) is a StoreError `not_found`, one already sent a StoreError `conflict`
   */
  attachToMessage(conversationId: string, messageId: string, attachmentIds: readonly string[]): Promise<Attachment[]>;
  /** removes an unsent attachment: false when there is none by that id; a sent one is a StoreError `conflict` */
  removeAttachment(conversationId: string, attachmentId: string): Promise<boolean>;
  /** the text of every sent attachment of the conversation, oldest first, for runs */
  listDocuments(conversationId: string): Promise<StoredDocument[]>;

  /** a model's measured pace (time to first token, decode rate), kept across restarts; null when never measured */
  loadModelSpeed(modelKey: string): Promise<ModelSpeedRow | null>;
  saveModelSpeed(modelKey: string, speed: ModelSpeedRow): Promise<void>;

  /** whether the database answers now (for /health): a failure says what went wrong */
  ping(): Promise<{ ok: true } | { ok: false; error: string }>;

  close(): Promise<void>;
}
