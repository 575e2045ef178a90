import type { Attachment, Message, PinnedFact, RunMetrics, StepRecord, TaskType, Usage } from "@alma/protocol";
import type { PageSpan, StoredDocument } from "./conversation-store.js";

// The tables' rows as node-postgres returns them (BIGINT parsed to numbers, jsonb parsed), and the objects they stand for.
// Conversations map through toConversation (sqlite-rows.ts): their columns read the same in both databases.

export interface PgMessageRow {
  id: string;
  conversation_id: string;
  role: Message["role"];
  content: string;
  status: Message["status"];
  created_at: number;
  client_message_id: string | null;
  run_id: string | null;
  task_type: TaskType | null;
  pinned: boolean;
  steps: StepRecord[] | null;
  finish_reason: Message["finishReason"];
  usage: Usage | null;
  metrics: RunMetrics | null;
  error: { code: string; message: string } | null;
}

/** every message column but the search vector */
export const MESSAGE_COLUMNS =
  "m.id, m.conversation_id, m.role, m.content, m.status, m.created_at, m.client_message_id, m.run_id, m.task_type, m.pinned, m.steps, m.finish_reason, m.usage, m.metrics, m.error";

/** every conversation column but the search vector */
export const CONVERSATION_COLUMNS = "c.id, c.title, c.created_at, c.updated_at, c.summary, c.summarized_count, c.deleted_at";

export function toPgMessage(r: PgMessageRow): Message {
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
    pinned: r.pinned,
    steps: r.steps,
    finishReason: r.finish_reason,
    usage: r.usage,
    metrics: r.metrics,
    error: r.error,
  } as Message;
}

export interface PgFactRow {
  id: string;
  conversation_id: string;
  text: string;
  message_id: string | null;
  created_at: number;
}

export function toPgFact(r: PgFactRow): PinnedFact {
  return { id: r.id, conversationId: r.conversation_id, text: r.text, messageId: r.message_id, createdAt: r.created_at };
}

export interface PgDocumentRow {
  id: string;
  name: string;
  kind: Attachment["kind"];
  text: string;
  pages_json: PageSpan[] | null;
  message_id: string | null;
}

export function toPgDocument(r: PgDocumentRow): StoredDocument {
  return { id: r.id, name: r.name, kind: r.kind, text: r.text, ...(r.pages_json ? { pages: r.pages_json } : {}), messageId: r.message_id };
}

/** a value for a jsonb parameter: node-postgres would send a JS array as a PostgreSQL array, so JSON is sent as text */
export function jsonParam(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
