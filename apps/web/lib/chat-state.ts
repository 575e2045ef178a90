import type {
  ContextStats,
  ErrorCode,
  FinishReason,
  Message,
  MessageStatus,
  PinnedFact,
  PlanStep,
  ProgressPhase,
  RunEvent,
  RunMetrics,
  ServerFrame,
  TaskType,
  Usage,
} from "@alma/protocol";

export type StepStatus = "pending" | "running" | "complete" | "truncated" | "failed" | "stopped";

export interface StepView extends PlanStep {
  text: string;
  status: StepStatus;
  note: string | null;
  durationMs: number | null;
}

export interface ProgressView {
  phase: ProgressPhase;
  label: string;
  step: { id: string; index: number; total: number } | null;
}

export interface MessageError {
  code: ErrorCode | string;
  message: string;
  retryable: boolean;
}

/** Timings the browser measures itself, so the metrics panel moves while an answer streams. */
export interface LiveTimings {
  sentAt: number | null;
  startedAt: number;
  firstTokenAt: number | null;
  lastTokenAt: number | null;
  tokens: number;
}

export interface UiMessage {
  id: string;
  role: "user" | "assistant" | "system";
  content: string;
  status: MessageStatus;
  /** a user message whose answer has not started yet */
  pending: boolean;
  clientMessageId: string | null;
  runId: string | null;
  taskType: TaskType | null;
  pinned: boolean;
  steps: StepView[] | null;
  /** the planner is still writing: later run.plan events may add steps */
  planning: boolean;
  progress: ProgressView | null;
  finishReason: FinishReason | null;
  usage: Usage | null;
  metrics: RunMetrics | null;
  cacheHit: boolean;
  error: MessageError | null;
  live: LiveTimings | null;
  createdAt: number;
}

export interface RunTracker {
  runId: string;
  assistantMessageId: string;
  /** index of the next run event expected */
  nextIndex: number;
  nextSeq: number;
  stopRequested: boolean;
}

export interface ChatState {
  conversationId: string | null;
  /** conversation title as the server knows it */
  title: string | null;
  messages: UiMessage[];
  runs: Record<string, RunTracker>;
  activeRunId: string | null;
  /** a run whose event stream has a hole: the connection layer asks the server to resume after `afterIndex` */
  gap: { runId: string; afterIndex: number } | null;
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
  gap: null,
  context: null,
  pinnedFacts: [],
  summary: null,
  summarizedCount: 0,
  notice: null,
  loadingHistory: false,
};

export type ChatAction =
  | { type: "frame"; frame: ServerFrame; now: number }
  /** frames batched per animation frame, each with the time it arrived */
  | { type: "frames"; items: { frame: ServerFrame; at: number }[] }
  | { type: "open"; conversationId: string | null }
  | { type: "send"; clientMessageId: string; content: string; now: number }
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

/** The fields a message has before the server says anything about it. */
const BLANK_MESSAGE = {
  taskType: null,
  pinned: false,
  steps: null,
  planning: false,
  progress: null,
  finishReason: null,
  usage: null,
  metrics: null,
  cacheHit: false,
  error: null,
} as const satisfies Partial<UiMessage>;

function emptyAssistant(id: string, runId: string, now: number): UiMessage {
  return {
    ...BLANK_MESSAGE,
    id,
    role: "assistant",
    content: "",
    status: "streaming",
    pending: false,
    clientMessageId: null,
    runId,
    live: { sentAt: null, startedAt: now, firstTokenAt: null, lastTokenAt: null, tokens: 0 },
    createdAt: now,
  };
}

export function fromServerMessage(m: Message): UiMessage {
  return {
    id: m.id,
    role: m.role,
    content: m.content,
    status: m.status,
    pending: false,
    clientMessageId: m.clientMessageId,
    runId: m.runId,
    taskType: m.taskType,
    pinned: m.pinned,
    steps: m.steps?.map((s) => ({ ...s, note: null, durationMs: null })) ?? null,
    planning: false,
    progress: null,
    finishReason: m.finishReason,
    usage: m.usage,
    metrics: m.metrics,
    cacheHit: m.metrics?.cacheHit ?? false,
    error: m.error ? { code: m.error.code, message: m.error.message, retryable: m.status === "failed" } : null,
    live: null,
    createdAt: m.createdAt,
  };
}

function updateMessage(state: ChatState, id: string, f: (m: UiMessage) => UiMessage): ChatState {
  const i = state.messages.findIndex((m) => m.id === id);
  if (i < 0) return state;
  const messages = state.messages.slice();
  messages[i] = f(messages[i]!);
  return { ...state, messages };
}

function isRunEvent(frame: ServerFrame): frame is RunEvent {
  return frame.type.startsWith("run.");
}

/** The last user message: the one a new run answers when the server's id is not known yet. */
function lastUserIndex(messages: UiMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === "user") return i;
  }
  return -1;
}

function applyRunStarted(state: ChatState, e: Extract<RunEvent, { type: "run.started" }>, now: number): ChatState {
  if (state.runs[e.runId]) return state;
  if (state.conversationId !== null && e.conversationId !== state.conversationId) return state;
  let messages = state.messages.slice();
  const assistant: UiMessage = {
    ...emptyAssistant(e.assistantMessageId, e.runId, now),
    taskType: e.taskType,
    progress: { phase: "queued", label: "Starting", step: null },
  };
  const existing = messages.findIndex((m) => m.id === e.assistantMessageId);
  if (existing >= 0) {
    // run.continue streams into the same message: keep what is there.
    const prev = messages[existing]!;
    messages[existing] = { ...assistant, content: prev.content, steps: prev.steps, createdAt: prev.createdAt };
  } else {
    const userIdx = messages.findIndex((m) => m.id === e.userMessageId);
    const pendingIdx = userIdx >= 0 ? userIdx : lastUserIndex(messages);
    if (pendingIdx >= 0) {
      const u = messages[pendingIdx]!;
      assistant.live = { ...assistant.live!, sentAt: u.pending ? u.createdAt : null };
      messages[pendingIdx] = { ...u, id: e.userMessageId, pending: false };
      // A run answers the user message it follows: anything after it was a replaced answer.
      messages = messages.slice(0, pendingIdx + 1);
    }
    messages.push(assistant);
  }
  return {
    ...state,
    conversationId: e.conversationId,
    messages,
    activeRunId: e.runId,
    runs: {
      ...state.runs,
      [e.runId]: { runId: e.runId, assistantMessageId: e.assistantMessageId, nextIndex: e.index + 1, nextSeq: 0, stopRequested: false },
    },
  };
}

function applyToken(m: UiMessage, e: Extract<RunEvent, { type: "run.token" }>, now: number): UiMessage {
  const live = m.live ?? { sentAt: null, startedAt: now, firstTokenAt: null, lastTokenAt: null, tokens: 0 };
  const nextLive = { ...live, firstTokenAt: live.firstTokenAt ?? now, lastTokenAt: now, tokens: live.tokens + 1 };
  if (e.stepId !== null && m.steps) {
    const steps = m.steps.map((s) => (s.id === e.stepId ? { ...s, text: s.text + e.text, status: s.status === "pending" ? "running" : s.status } : s)) as StepView[];
    return { ...m, steps, live: nextLive };
  }
  return { ...m, content: m.content + e.text, live: nextLive };
}

/**
 * A later run.plan lists the steps planned so far plus new ones, and steps may already be streaming: keep every
 * step's progress (text, status, note, duration) and append only the steps not seen yet.
 */
export function mergePlan(existing: StepView[] | null, planned: PlanStep[]): StepView[] {
  const byId = new Map(planned.map((s) => [s.id, s]));
  const kept = (existing ?? []).map((s) => {
    const p = byId.get(s.id);
    // the same object when nothing changed, so a memoized step section does not re-render
    if (!p || (p.title === s.title && p.agent === s.agent && p.dependsOn.join() === s.dependsOn.join())) return s;
    return { ...s, title: p.title, agent: p.agent, dependsOn: p.dependsOn };
  });
  const known = new Set(kept.map((s) => s.id));
  const added = planned.filter((s) => !known.has(s.id)).map((s): StepView => ({ ...s, text: "", status: "pending", note: null, durationMs: null }));
  return [...kept, ...added];
}

function statusForFinish(reason: FinishReason, stopRequested: boolean): MessageStatus {
  if (reason === "stopped" || stopRequested) return "stopped";
  if (reason === "error") return "failed";
  if (reason === "interrupted") return "interrupted";
  return "complete";
}

/** Applies one run event in order; duplicates (index already seen) are ignored and holes are flagged, not guessed over. */
function applyRunEvent(state: ChatState, e: RunEvent, now: number): ChatState {
  if (e.type === "run.started") return applyRunStarted(state, e, now);
  const run = state.runs[e.runId];
  if (!run) return state;
  if (e.index < run.nextIndex) return state;
  if (e.index > run.nextIndex) {
    if (state.gap?.runId === e.runId) return state;
    return { ...state, gap: { runId: e.runId, afterIndex: run.nextIndex - 1 } };
  }
  const nextRun: RunTracker = { ...run, nextIndex: run.nextIndex + 1 };
  let next: ChatState = { ...state, runs: { ...state.runs, [e.runId]: nextRun } };
  if (next.gap?.runId === e.runId) next = { ...next, gap: null };
  const id = run.assistantMessageId;
  switch (e.type) {
    case "run.token":
      nextRun.nextSeq = e.seq + 1;
      return updateMessage(next, id, (m) => applyToken(m, e, now));
    case "run.classified":
      return updateMessage(next, id, (m) => ({ ...m, taskType: e.taskType }));
    case "run.progress":
      return updateMessage(next, id, (m) => ({
        ...m,
        progress: { phase: e.phase, label: e.label, step: e.step ?? null },
        // synthesis starts only once the plan is whole, even if its final run.plan was never seen
        planning: e.phase === "synthesizing" || e.phase === "done" ? false : m.planning,
      }));
    case "run.plan":
      return updateMessage(next, id, (m) => ({ ...m, steps: mergePlan(m.steps, e.steps), planning: e.final === false }));
    case "run.step.started":
      return updateMessage(next, id, (m) => {
        const steps = m.steps ?? [];
        const has = steps.some((s) => s.id === e.stepId);
        const base = has ? steps : [...steps, { id: e.stepId, title: e.title, agent: e.agent, dependsOn: [], text: "", status: "pending" as const, note: null, durationMs: null }];
        return { ...m, steps: base.map((s) => (s.id === e.stepId ? { ...s, status: "running" as const } : s)) };
      });
    case "run.step.completed":
      return updateMessage(next, id, (m) => ({
        ...m,
        steps: (m.steps ?? []).map((s) => (s.id === e.stepId ? { ...s, status: e.status, note: e.note, durationMs: e.durationMs } : s)),
      }));
    case "run.context":
      return { ...next, context: e.context };
    case "run.completed": {
      const done = updateMessage(next, id, (m) => ({
        ...m,
        status: statusForFinish(e.finishReason, run.stopRequested),
        finishReason: e.finishReason,
        usage: e.usage,
        metrics: e.metrics,
        cacheHit: e.cacheHit,
        progress: null,
        planning: false,
        steps: m.steps?.map((s) => (s.status === "running" || s.status === "pending" ? { ...s, status: run.stopRequested ? "stopped" : s.status } : s)) ?? null,
      }));
      return {
        ...done,
        activeRunId: done.activeRunId === e.runId ? null : done.activeRunId,
        context: e.metrics.context ?? done.context,
      };
    }
    case "run.error": {
      const failed = updateMessage(next, id, (m) => ({
        ...m,
        status: run.stopRequested ? "stopped" : "failed",
        error: { code: e.code, message: e.message, retryable: e.retryable },
        metrics: e.metrics ?? m.metrics,
        progress: null,
        planning: false,
      }));
      return { ...failed, activeRunId: failed.activeRunId === e.runId ? null : failed.activeRunId };
    }
  }
}

function applyFrame(state: ChatState, frame: ServerFrame, now: number): ChatState {
  if (isRunEvent(frame)) return applyRunEvent(state, frame, now);
  switch (frame.type) {
    case "message.accepted": {
      const i = state.messages.findIndex((m) => m.clientMessageId === frame.clientMessageId && m.role === "user");
      if (state.conversationId !== null && state.conversationId !== frame.conversationId) return state;
      if (i < 0) return state;
      const messages = state.messages.slice();
      // Still pending until its run starts: run.started measures the wait from the send.
      messages[i] = { ...messages[i]!, id: frame.userMessageId, pending: frame.runId !== null };
      return { ...state, conversationId: frame.conversationId, messages };
    }
    case "message.added": {
      // another tab added a message to the conversation open here: put it in place, before its answer's events
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
      const runs: Record<string, RunTracker> = {};
      let activeRunId: string | null = null;
      const messages = frame.messages.map(fromServerMessage);
      if (frame.activeRun) {
        const assistant = messages.findLast((m) => m.runId === frame.activeRun!.runId);
        if (assistant) {
          activeRunId = frame.activeRun.runId;
          assistant.status = "streaming";
          runs[activeRunId] = {
            runId: activeRunId,
            assistantMessageId: assistant.id,
            nextIndex: frame.activeRun.lastIndex + 1,
            nextSeq: 0,
            stopRequested: false,
          };
        }
      }
      return {
        ...state,
        conversationId: frame.conversation.id,
        title: frame.conversation.title,
        messages,
        runs,
        activeRunId,
        gap: null,
        context: frame.context,
        pinnedFacts: frame.pinnedFacts,
        summary: frame.conversation.summary,
        summarizedCount: frame.conversation.summarizedCount,
        loadingHistory: false,
      };
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
      // errors about a send/edit/regenerate reach the message through its RunHandle instead
      if (frame.frameType && /^(message\.(send|edit)|run\.(regenerate|continue))$/.test(frame.frameType)) return state;
      if (frame.requestId !== undefined) return state;
      // A resume after a reconnect found the run over: its answer is stored, so load the history.
      if (frame.frameType === "run.resume") return state.conversationId === null ? state : { ...state, loadingHistory: true };
      return { ...state, notice: { code: frame.code, message: frame.message, retryable: frame.retryable }, loadingHistory: false };
    default:
      return state;
  }
}

function newUserMessage(clientMessageId: string, content: string, now: number): UiMessage {
  return {
    ...BLANK_MESSAGE,
    id: `local-${clientMessageId}`,
    role: "user",
    content,
    status: "complete",
    pending: true,
    clientMessageId,
    runId: null,
    live: null,
    createdAt: now,
  };
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case "frame":
      return applyFrame(state, action.frame, action.now);
    case "frames": {
      let next = state;
      for (const { frame, at } of action.items) next = applyFrame(next, frame, at);
      return next;
    }
    case "open":
      if (action.conversationId === state.conversationId && action.conversationId !== null) return state;
      return { ...initialChatState, conversationId: action.conversationId, loadingHistory: action.conversationId !== null };
    case "send":
      return { ...state, notice: null, messages: [...state.messages, newUserMessage(action.clientMessageId, action.content, action.now)] };
    case "edit": {
      const i = state.messages.findIndex((m) => m.id === action.messageId && m.role === "user");
      if (i < 0) return state;
      const edited = { ...newUserMessage(action.clientMessageId, action.content, action.now), id: action.messageId };
      return { ...state, notice: null, messages: [...state.messages.slice(0, i), edited] };
    }
    case "regenerate": {
      const last = state.messages.at(-1);
      if (!last || last.role !== "assistant") return state;
      const messages = state.messages.slice(0, -1);
      const u = messages.at(-1);
      // Mark the question pending so the next run.started re-attaches to it and measures from now.
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
      // Shown as stopped at once; the server's run.completed later fills in the figures.
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
