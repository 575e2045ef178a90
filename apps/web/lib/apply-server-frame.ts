import type { ServerFrame } from "@alma/protocol";
import { applyRunState } from "./apply-run-state";
import type { ChatState, RunTracker } from "./chat-state";
import { fromServerMessage } from "./ui-message";

/**
 * The frames that are not a run's events (those reach the chat as run states, through the client's run handles):
 * acks, messages other tabs add, history, renames, memory, errors that belong to no message.
 */
export function applyServerFrame(state: ChatState, frame: ServerFrame, at: number): ChatState {
  switch (frame.type) {
    case "message.accepted": {
      const i = state.messages.findIndex((m) => m.clientMessageId === frame.clientMessageId && m.role === "user");
      if (state.conversationId !== null && state.conversationId !== frame.conversationId) return state;
      if (i < 0) return state;
      const messages = state.messages.slice();
      // still pending until its run starts: the run's start measures the wait from the send
      messages[i] = { ...messages[i]!, id: frame.userMessageId, pending: frame.runId !== null };
      return { ...state, conversationId: frame.conversationId, messages };
    }
    case "message.added": {
      // another tab added a message to the conversation open here: put it in place, before its answer streams
      if (state.conversationId !== frame.conversationId) return state;
      const m = frame.message;
      if (state.messages.some((x) => x.id === m.id || (m.clientMessageId !== null && x.clientMessageId === m.clientMessageId))) return state;
      const after = frame.after === null ? -1 : state.messages.findIndex((x) => x.id === frame.after);
      // an edit replaced what came after `after`; a view that does not know `after` reloads instead of guessing
      if (frame.after !== null && after < 0) return { ...state, loadingHistory: true };
      return { ...state, messages: [...state.messages.slice(0, after + 1), fromServerMessage(m)] };
    }
    case "conversation.history.result": {
      if (state.conversationId !== null && frame.conversation.id !== state.conversationId) return state;
      const messages = frame.messages.map(fromServerMessage);
      const runs: Record<string, RunTracker> = {};
      const active = frame.activeRun;
      const assistant = active ? messages.find((m) => m.runId === active.runId) : undefined;
      if (active && assistant) {
        const stamp = Math.max(active.state.startedAt ?? 0, active.state.lastTokenAt ?? 0);
        runs[active.runId] = {
          runId: active.runId,
          assistantMessageId: assistant.id,
          stopRequested: false,
          clockOffsetMs: stamp > 0 ? at - stamp : 0,
          sentAt: null,
        };
      }
      const loaded: ChatState = {
        ...state,
        conversationId: frame.conversation.id,
        title: frame.conversation.title,
        messages,
        runs,
        activeRunId: null,
        context: frame.context,
        pinnedFacts: frame.pinnedFacts,
        summary: frame.conversation.summary,
        summarizedCount: frame.conversation.summarizedCount,
        loadingHistory: false,
      };
      return active && assistant ? applyRunState(loaded, { state: active.state, at, clientMessageId: null }) : loaded;
    }
    case "conversation.updated":
      if (frame.conversation.id !== state.conversationId) return state;
      return { ...state, title: frame.conversation.title, summary: frame.conversation.summary, summarizedCount: frame.conversation.summarizedCount };
    case "memory.updated": {
      if (frame.conversationId !== state.conversationId) return state;
      const pinnedIds = new Set(frame.pinnedFacts.map((f) => f.messageId).filter((x): x is string => x !== null));
      return {
        ...state,
        pinnedFacts: frame.pinnedFacts,
        summary: frame.summary,
        summarizedCount: frame.summarizedCount,
        messages: state.messages.map((m) => (m.pinned === pinnedIds.has(m.id) ? m : { ...m, pinned: pinnedIds.has(m.id) })),
      };
    }
    case "error":
      // errors about a send, edit, regenerate, continue or resume reach the message through its run handle
      if (frame.frameType && /^(message\.(send|edit)|run\.(regenerate|continue|resume))$/.test(frame.frameType)) return state;
      if (frame.requestId !== undefined || frame.runId !== undefined || frame.clientMessageId !== undefined) return state;
      // the server dropped events for a slow connection: the client resumes its runs itself
      if (frame.code === "stream_interrupted") return state;
      return { ...state, notice: { code: frame.code, message: frame.message, retryable: frame.retryable }, loadingHistory: false };
    default:
      return state;
  }
}
