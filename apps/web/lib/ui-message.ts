import type {
  Attachment,
  ErrorCode,
  FinishReason,
  Message,
  MessageStatus,
  RunMetrics,
  RunProgress,
  StepRecord,
  StepStatus,
  TaskType,
  ToolCallRecord,
  Usage,
} from "@alma/protocol";

export type { StepStatus, ToolCallRecord };

/** A plan step as shown: the protocol's step record with its note, duration and tool calls always present. */
export interface StepView extends StepRecord {
  note: string | null;
  durationMs: number | null;
  tools: ToolCallRecord[];
}

export type ProgressView = RunProgress;

export interface MessageError {
  code: ErrorCode | string;
  message: string;
  retryable: boolean;
}

/** Timings on the browser's clock, so the metrics panel moves while an answer streams. */
export interface LiveTimings {
  /** when this page sent the question; null for a run another tab or a reload joined */
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
  /** the planner is still writing: later plans may add steps */
  planning: boolean;
  progress: ProgressView | null;
  finishReason: FinishReason | null;
  usage: Usage | null;
  metrics: RunMetrics | null;
  cacheHit: boolean;
  error: MessageError | null;
  live: LiveTimings | null;
  /** the files a user message was sent with */
  attachments: readonly Attachment[];
  createdAt: number;
}

const NO_ATTACHMENTS: readonly Attachment[] = [];

/** The fields a message has before the server says anything about it. */
export const BLANK_MESSAGE = {
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
  attachments: NO_ATTACHMENTS,
} as const satisfies Partial<UiMessage>;

const NO_TOOLS: ToolCallRecord[] = [];

/** Stored steps from before steps kept their note, duration and tool calls lack them: shown as unknown (and none). */
export function toStepView(step: StepRecord): StepView {
  return step.note !== undefined && step.durationMs !== undefined && step.tools !== undefined
    ? (step as StepView)
    : { ...step, note: step.note ?? null, durationMs: step.durationMs ?? null, tools: step.tools ?? NO_TOOLS };
}

export function toStepViews(steps: readonly StepRecord[] | null | undefined, previous: StepView[] | null = null): StepView[] | null {
  if (!steps || steps.length === 0) return null;
  // the fold keeps unchanged steps as the same objects: keep their views too, so memoized sections skip them
  const before = new Map(previous?.map((s) => [s.id, s]));
  return steps.map((s) => {
    const old = before.get(s.id);
    return old && sameStep(old, s) ? old : toStepView(s);
  });
}

function sameStep(view: StepView, step: StepRecord): boolean {
  return (
    view.text === step.text &&
    view.status === step.status &&
    view.title === step.title &&
    view.agent === step.agent &&
    view.note === (step.note ?? null) &&
    view.durationMs === (step.durationMs ?? null) &&
    // the fold replaces a step's tool list whenever a call starts or ends
    view.tools === (step.tools ?? NO_TOOLS) &&
    view.dependsOn.join() === step.dependsOn.join()
  );
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
    steps: toStepViews(m.steps),
    planning: false,
    progress: null,
    finishReason: m.finishReason,
    usage: m.usage,
    metrics: m.metrics,
    cacheHit: m.metrics?.cacheHit ?? false,
    error: m.error ? { code: m.error.code, message: m.error.message, retryable: m.status === "failed" } : null,
    live: null,
    attachments: m.attachments ?? NO_ATTACHMENTS,
    createdAt: m.createdAt,
  };
}

export function newUserMessage(clientMessageId: string, content: string, now: number, attachments: readonly Attachment[] = NO_ATTACHMENTS): UiMessage {
  return {
    ...BLANK_MESSAGE,
    attachments,
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

export function updateMessage<S extends { messages: UiMessage[] }>(state: S, id: string, f: (m: UiMessage) => UiMessage): S {
  const i = state.messages.findIndex((m) => m.id === id);
  if (i < 0) return state;
  const messages = state.messages.slice();
  messages[i] = f(messages[i]!);
  return { ...state, messages };
}
