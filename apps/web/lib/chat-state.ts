import type { Attachment, ContextStats, Conversation, PinnedFact, ServerFrame } from "@alma/protocol";
import { applyRunState, type RunUpdate } from "./apply-run-state";
import { applyServerFrame } from "./apply-server-frame";
import { newUserMessage, updateMessage, type MessageError, type UiMessage } from "./ui-message";

export type { LiveTimings, MessageError, ProgressView, StepStatus, StepView, ToolCallRecord, UiMessage } from "./ui-message";
export { fromServerMessage } from "./ui-message";
export type { RunUpdate } from "./apply-run-state";

/** Where a run's message is and what the page did to it; the run itself is its handle's state. */
export interface RunTracker {
  runId: string;
  assistantMessageId: string;
  stopRequested: boolean;
  /** the browser's clock minus the server's, as measured when the page first saw the run */
  clockOffsetMs: number;
  /** when this page sent the question the run answers */
  sentAt: number | null;
}

export interface ChatState {
  conversationId: string | null;
  /** conversation title as the server knows it */
  title: string | null;
  messages: UiMessage[];
  runs: Record<string, RunTracker>;
  activeRunId: string | null;
  context: ContextStats | null;
  pinnedFacts: PinnedFact[];
  summary: string | null;
  summarizedCount: number;
  /** an error that belongs to no message (e.g. the server refused a frame) */
  notice: MessageError | null;
  loadingHistory: boolean;
}

export const initialChatState: ChatState = {
  conversationId: null,
  title: null,
  messages: [],
  runs: {},
  activeRunId: null,
  context: null,
  pinnedFacts: [],
  summary: null,
  summarizedCount: 0,
  notice: null,
  loadingHistory: false,
};

/** What the page receives, in order: frames that are not run events, and runs' states from their handles. */
export type ChatInput = { kind: "frame"; frame: ServerFrame; at: number } | ({ kind: "run" } & RunUpdate);

export type ChatAction =
  /** inputs batched per animation frame, each with the time it arrived */
  | { type: "inputs"; items: ChatInput[] }
  | { type: "open"; conversationId: string | null }
  | { type: "send"; clientMessageId: string; content: string; now: number; attachments?: readonly Attachment[] }
  /** the new chat's first attached file created a conversation on the server: the page belongs to it now */
  | { type: "created"; conversation: Conversation }
  | { type: "edit"; messageId: string; clientMessageId: string; content: string; now: number }
  | { type: "regenerate"; now: number }
  | { type: "continue"; messageId: string; now: number }
  | { type: "stop"; runId: string }
  | { type: "sendFailed"; clientMessageId: string | null; error: MessageError }
  | { type: "historyFailed"; error: MessageError }
  /** the client could not follow a started run to its end */
  | { type: "runFailed"; runId: string; error: MessageError }
  /** reload the open conversation's history, keeping what is shown until it arrives */
  | { type: "reload" }
  | { type: "drop"; messageId: string }
  | { type: "dismissNotice" };

function applyInput(state: ChatState, input: ChatInput): ChatState {
  return input.kind === "frame" ? applyServerFrame(state, input.frame, input.at) : applyRunState(state, input);
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case "inputs":
      return action.items.reduce(applyInput, state);
    case "open":
      if (action.conversationId === state.conversationId && action.conversationId !== null) return state;
      return { ...initialChatState, conversationId: action.conversationId, loadingHistory: action.conversationId !== null };
    case "send":
      return { ...state, notice: null, messages: [...state.messages, newUserMessage(action.clientMessageId, action.content, action.now, action.attachments)] };
    case "created":
      // only a page still on the new chat takes it (one opened elsewhere meanwhile keeps what it opened)
      if (state.conversationId !== null) return state;
      // untitled until its first message names it
      return { ...state, conversationId: action.conversation.id, title: action.conversation.title || null };
    case "edit": {
      const i = state.messages.findIndex((m) => m.id === action.messageId && m.role === "user");
      if (i < 0) return state;
      // the edit replaces the text; the files stay with the message
      const edited = { ...newUserMessage(action.clientMessageId, action.content, action.now, state.messages[i]!.attachments), id: action.messageId };
      return { ...state, notice: null, messages: [...state.messages.slice(0, i), edited] };
    }
    case "regenerate": {
      const last = state.messages.at(-1);
      if (last?.role !== "assistant") return state;
      const messages = state.messages.slice(0, -1);
      const u = messages.at(-1);
      // pending again, so the new run measures its wait from now
      if (u && u.role === "user") messages[messages.length - 1] = { ...u, pending: true, createdAt: action.now };
      return { ...state, notice: null, messages };
    }
    case "continue":
      // the message turns "streaming" when the server starts the run; a refusal leaves it as it was
      return updateMessage({ ...state, notice: null }, action.messageId, (m) => ({ ...m, error: null }));
    case "stop": {
      const run = state.runs[action.runId];
      if (!run) return state;
      const next = { ...state, runs: { ...state.runs, [action.runId]: { ...run, stopRequested: true } } };
      // shown as stopped at once; the server's end later fills in the figures
      return updateMessage(next, run.assistantMessageId, (m) => (m.status === "streaming" ? { ...m, status: "stopped", progress: null, planning: false } : m));
    }
    case "sendFailed": {
      const i = action.clientMessageId === null ? -1 : state.messages.findIndex((m) => m.clientMessageId === action.clientMessageId);
      if (i < 0) return { ...state, notice: action.error };
      return updateMessage(state, state.messages[i]!.id, (m) => ({ ...m, pending: false, error: action.error }));
    }
    case "runFailed": {
      const run = state.runs[action.runId];
      if (!run) return state;
      const next = updateMessage(state, run.assistantMessageId, (m) =>
        m.status === "streaming" ? { ...m, status: "failed", error: action.error, progress: null, planning: false } : m,
      );
      return { ...next, activeRunId: next.activeRunId === action.runId ? null : next.activeRunId };
    }
    case "reload":
      return state.conversationId === null ? state : { ...state, loadingHistory: true };
    case "historyFailed":
      return { ...state, loadingHistory: false, notice: action.error };
    case "drop":
      return { ...state, messages: state.messages.filter((m) => m.id !== action.messageId) };
    case "dismissNotice":
      return { ...state, notice: null };
  }
}

/** The run the UI may stop: the one still streaming. */
export function streamingRunId(state: ChatState): string | null {
  if (!state.activeRunId) return null;
  const run = state.runs[state.activeRunId];
  if (!run) return null;
  const m = state.messages.find((x) => x.id === run.assistantMessageId);
  return m && m.status === "streaming" ? state.activeRunId : null;
}
