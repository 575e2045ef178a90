import type { RunState } from "@alma/protocol";
import type { ChatState, RunTracker } from "./chat-state";
import { BLANK_MESSAGE, toStepViews, updateMessage, type StepView, type UiMessage } from "./ui-message";

/** A run's state as its client handle folded it (the protocol's one fold), with when the page received it. */
export interface RunUpdate {
  state: RunState;
  /** epoch ms on the browser's clock */
  at: number;
  /** the message.send / message.edit the run answers, when this page sent it */
  clientMessageId: string | null;
}

function serverStamp(run: RunState): number | null {
  const stamps = [run.startedAt, run.lastTokenAt].filter((t): t is number => t !== null);
  return stamps.length ? Math.max(...stamps) : null;
}

/** Where a run the page has not seen yet goes: the message it continues, or a new answer after its question. */
function placeRun(chat: ChatState, run: RunState, update: RunUpdate): { chat: ChatState; tracker: RunTracker } | null {
  const stamp = serverStamp(run);
  const base: RunTracker = {
    runId: run.runId,
    assistantMessageId: run.assistantMessageId!,
    stopRequested: false,
    clockOffsetMs: stamp === null ? 0 : update.at - stamp,
    sentAt: null,
  };
  // a continue streams into the answer it continues (its state starts from the kept part)
  if (chat.messages.some((m) => m.id === run.assistantMessageId)) return { chat, tracker: base };
  const userIdx = chat.messages.findIndex(
    (m) => m.role === "user" && (m.id === run.userMessageId || (update.clientMessageId !== null && m.clientMessageId === update.clientMessageId)),
  );
  if (userIdx < 0) return null;
  const user = chat.messages[userIdx]!;
  const assistant: UiMessage = {
    id: run.assistantMessageId!,
    role: "assistant",
    content: "",
    status: "streaming",
    pending: false,
    clientMessageId: null,
    ...BLANK_MESSAGE,
    runId: run.runId,
    taskType: run.taskType,
    live: null,
    createdAt: update.at,
  };
  // a run answers the question it follows: anything after that question was an answer it replaces
  const messages = [...chat.messages.slice(0, userIdx), { ...user, id: run.userMessageId ?? user.id, pending: false }, assistant];
  return { chat: { ...chat, messages }, tracker: { ...base, sentAt: user.pending ? user.createdAt : null } };
}

function liveTimings(run: RunState, tracker: RunTracker, previous: UiMessage["live"]): UiMessage["live"] {
  if (run.startedAt === null) return previous;
  const local = (t: number | null) => (t === null ? null : t + tracker.clockOffsetMs);
  return {
    sentAt: tracker.sentAt,
    startedAt: run.startedAt + tracker.clockOffsetMs,
    firstTokenAt: local(run.firstTokenAt),
    lastTokenAt: local(run.lastTokenAt),
    tokens: run.tokens,
  };
}

function withRun(m: UiMessage, run: RunState, tracker: RunTracker): UiMessage {
  // a stop shows at once; the server's end (stopped, or an error the stop caused) fills in the figures
  const stopped = tracker.stopRequested && (run.status === "streaming" || run.status === "failed");
  const status = stopped ? "stopped" : run.status;
  const steps: StepView[] | null = toStepViews(run.steps, m.steps);
  return {
    ...m,
    runId: run.runId,
    content: run.text,
    status,
    taskType: run.taskType ?? m.taskType,
    steps,
    planning: status === "streaming" && run.planning,
    progress: status === "streaming" ? run.progress : null,
    finishReason: run.finishReason,
    usage: run.usage,
    metrics: run.metrics,
    cacheHit: run.cacheHit,
    error: run.error && !stopped ? { code: run.error.code, message: run.error.message, retryable: run.error.retryable } : null,
    live: liveTimings(run, tracker, m.live),
  };
}

/**
 * Shows a run as its state says: the chat holds no run bookkeeping of its own beyond where the run's message is
 * and whether the user asked to stop it. A run of another conversation, or one whose question this page has never
 * seen (it reloads the history instead of guessing), is not placed.
 */
export function applyRunState(chat: ChatState, update: RunUpdate): ChatState {
  const run = update.state;
  if (run.assistantMessageId === null || run.conversationId === null) return chat;
  if (chat.conversationId !== null && run.conversationId !== chat.conversationId) return chat;
  let next = chat;
  let tracker = chat.runs[run.runId];
  if (!tracker) {
    const placed = placeRun(chat, run, update);
    if (!placed) return chat.conversationId === run.conversationId && run.status === "streaming" ? { ...chat, loadingHistory: true } : chat;
    next = { ...placed.chat, conversationId: run.conversationId, runs: { ...placed.chat.runs, [run.runId]: placed.tracker } };
    tracker = placed.tracker;
  }
  const current = tracker;
  next = updateMessage(next, current.assistantMessageId, (m) => withRun(m, run, current));
  const ended = run.status !== "streaming";
  return {
    ...next,
    context: run.context ?? next.context,
    activeRunId: ended ? (next.activeRunId === run.runId ? null : next.activeRunId) : run.runId,
  };
}
