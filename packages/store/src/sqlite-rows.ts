import type { Attachment, Conversation, Message, PinnedFact, TaskType } from "@alma/protocol";
import type { PageSpan, StoredDocument } from "./conversation-store.js";

// The tables' rows as SQLite returns them, and the protocol objects they stand for.

export interface ConversationRow {
  id: string;
  title: string;
  created_at: number;
  updated_at: number;
  summary: string | null;
  summarized_count: number;
  deleted_at: number | null;
}

export interface MessageRow {
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

export interface FactRow {
  id: string;
  conversation_id: string;
  text: string;
  message_id: string | null;
  created_at: number;
}

export function toConversation(r: ConversationRow): Conversation {
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

export function toMessage(r: MessageRow): Message {
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

export function toFact(r: FactRow): PinnedFact {
  return { id: r.id, conversationId: r.conversation_id, text: r.text, messageId: r.message_id, createdAt: r.created_at };
}

/** an attachment's metadata columns (`pages` is the page count SQL derives from pages_json) */
export interface AttachmentRow {
  id: string;
  conversation_id: string;
  message_id: string | null;
  name: string;
  kind: Attachment["kind"];
  media_type: string;
  bytes: number;
  chars: number;
  tokens: number;
  pages: number | null;
  created_at: number;
}

export interface DocumentRow {
  id: string;
  name: string;
  kind: Attachment["kind"];
  text: string;
  pages_json: string | null;
  message_id: string | null;
}

export function toAttachment(r: AttachmentRow): Attachment {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    messageId: r.message_id,
    name: r.name,
    kind: r.kind,
    mediaType: r.media_type,
    bytes: r.bytes,
    chars: r.chars,
    tokens: r.tokens,
    pages: r.pages,
    createdAt: r.created_at,
  };
}

export function toDocument(r: DocumentRow): StoredDocument {
  const pages = json<PageSpan[]>(r.pages_json);
  return { id: r.id, name: r.name, kind: r.kind, text: r.text, ...(pages ? { pages } : {}), messageId: r.message_id };
}
