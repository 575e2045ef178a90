import { z } from "zod";
import { classificationSchema, taskTypeSchema } from "./task-type.js";
import { errorCodeSchema } from "./error-code.js";
import { finishReasonSchema, usageSchema } from "./usage.js";
import { runMetricsSchema } from "./run-metrics.js";
import { contextStatsSchema } from "./context-stats.js";
import { contextWindowInfoSchema } from "./context-window-source.js";
import { progressPhaseSchema } from "./progress-phase.js";
import { runStateSchema } from "./run-state.js";
import { conversationSchema, messageSchema, pinnedFactSchema, planStepSchema, stepRecordSchema } from "./conversation.js";

const requestId = z.string().optional();

/** Fields every run event carries: `index` is gap-free from 0 over all of a run's events, so a client can resume. */
const runEventBase = {
  runId: z.string(),
  index: z.number().int().nonnegative(),
  at: z.number().describe("epoch ms when the server emitted it"),
};

export const runStartedEventSchema = z.object({
  type: z.literal("run.started"),
  ...runEventBase,
  conversationId: z.string(),
  userMessageId: z.string(),
  assistantMessageId: z.string(),
  taskType: taskTypeSchema,
  classification: classificationSchema,
  provider: z.string(),
  model: z.string(),
  continued: z
    .object({ text: z.string(), steps: z.array(stepRecordSchema).nullable() })
    .nullable()
    .optional()
    .describe("a run that continues a cut answer: the part kept, which its tokens extend"),
});

/** The final task type; for clear cases it equals run.started's, for ambiguous ones the model may change it. */
export const runClassifiedEventSchema = z.object({
  type: z.literal("run.classified"),
  ...runEventBase,
  taskType: taskTypeSchema,
  classification: classificationSchema,
  durationMs: z.number().nonnegative(),
});

export const runProgressEventSchema = z.object({
  type: z.literal("run.progress"),
  ...runEventBase,
  phase: progressPhaseSchema,
  label: z.string().describe("human-readable, e.g. 'Step 2 of 3: Compare latency'"),
  step: z.object({ id: z.string(), index: z.number().int().nonnegative(), total: z.number().int().positive() }).optional(),
  attempt: z.number().int().positive().optional(),
});

export const runPlanEventSchema = z.object({
  type: z.literal("run.plan"),
  ...runEventBase,
  steps: z.array(planStepSchema).describe("every step planned so far; a later run.plan of the same run lists these again plus the new ones"),
  final: z.boolean().optional().describe("false while the planner is still writing (more steps may follow); true or absent: the whole plan"),
});

export const runStepStartedEventSchema = z.object({
  type: z.literal("run.step.started"),
  ...runEventBase,
  stepId: z.string(),
  title: z.string(),
  agent: z.string(),
});

export const runStepCompletedEventSchema = z.object({
  type: z.literal("run.step.completed"),
  ...runEventBase,
  stepId: z.string(),
  status: z.enum(["complete", "truncated", "failed", "stopped"]),
  finishReason: finishReasonSchema,
  note: z.string().nullable().describe("why a step ended early, in words"),
  completionTokens: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
});

export const runToolStartedEventSchema = z.object({
  type: z.literal("run.tool.started"),
  ...runEventBase,
  stepId: z.string().nullable().describe("the plan step whose worker called it; null for the manager"),
  agent: z.string(),
  callId: z.string(),
  tool: z.string(),
  arguments: z.string().describe("JSON text as the model wrote it (cut to 2,000 characters)"),
});

export const runToolCompletedEventSchema = z.object({
  type: z.literal("run.tool.completed"),
  ...runEventBase,
  stepId: z.string().nullable(),
  agent: z.string(),
  callId: z.string(),
  tool: z.string(),
  ok: z.boolean(),
  result: z.string().nullable().describe("what the model read back (cut to 2,000 characters); null when it failed"),
  error: z.object({ code: z.string(), message: z.string() }).nullable().describe("why it failed, in words the model and the user read"),
  durationMs: z.number().nonnegative(),
});

export const runTokenEventSchema = z.object({
  type: z.literal("run.token"),
  ...runEventBase,
  seq: z.number().int().nonnegative().describe("gap-free from 0 over the run's tokens"),
  text: z.string(),
  agent: z.string().describe("the agent that produced it: 'manager' for the answer or synthesis, a worker's name for a step"),
  stepId: z.string().nullable().describe("the plan step it belongs to; null for the answer or synthesis"),
});

export const runContextEventSchema = z.object({
  type: z.literal("run.context"),
  ...runEventBase,
  context: contextStatsSchema,
});

export const runCompletedEventSchema = z.object({
  type: z.literal("run.completed"),
  ...runEventBase,
  conversationId: z.string(),
  assistantMessageId: z.string(),
  finishReason: finishReasonSchema,
  usage: usageSchema,
  metrics: runMetricsSchema,
  cacheHit: z.boolean(),
});

export const runErrorEventSchema = z.object({
  type: z.literal("run.error"),
  ...runEventBase,
  conversationId: z.string(),
  assistantMessageId: z.string().nullable(),
  code: errorCodeSchema,
  message: z.string().describe("what happened and what to do, in words"),
  retryable: z.boolean(),
  partial: z.boolean().describe("true when part of an answer was kept"),
  metrics: runMetricsSchema.nullable(),
});

export const runEventSchemas = [
  runStartedEventSchema,
  runClassifiedEventSchema,
  runProgressEventSchema,
  runPlanEventSchema,
  runStepStartedEventSchema,
  runStepCompletedEventSchema,
  runToolStartedEventSchema,
  runToolCompletedEventSchema,
  runTokenEventSchema,
  runContextEventSchema,
  runCompletedEventSchema,
  runErrorEventSchema,
] as const;
export const runEventSchema = z.discriminatedUnion("type", runEventSchemas);
export type RunEvent = z.infer<typeof runEventSchema>;
export type RunEventType = RunEvent["type"];
/** A run event before the run hub numbers and stamps it (runId, index, at, and a token's seq). */
export type RunEventDraft = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, "runId" | "index" | "at" | "seq"> : never) : never;

export const modelStatusSchema = z.object({
  ready: z.boolean(),
  provider: z.string(),
  model: z.string().nullable(),
  contextWindow: z.number().int().positive().nullable(),
  window: contextWindowInfoSchema.nullable().optional().describe("the context window with where it came from; null until known"),
  state: z.enum(["ready", "loading", "downloading", "unavailable"]),
  download: z.object({ receivedBytes: z.number().nonnegative(), totalBytes: z.number().nonnegative().nullable(), file: z.string() }).nullable(),
  problem: z.string().nullable().describe("why no model is ready, in words"),
  setup: z.array(z.string()).describe("ways to make a model ready, shown on the setup screen"),
});
export type ModelStatus = z.infer<typeof modelStatusSchema>;

export const welcomeFrameSchema = z.object({
  type: z.literal("welcome"),
  protocolVersion: z.number().int(),
  serverVersion: z.string(),
  connectionId: z.string(),
  model: modelStatusSchema,
  limits: z.object({
    maxFrameBytes: z.number().int().positive(),
    maxMessageChars: z.number().int().positive(),
    maxConcurrentRunsPerConnection: z.number().int().positive(),
  }),
});

export const errorFrameSchema = z.object({
  type: z.literal("error"),
  code: errorCodeSchema,
  message: z.string(),
  retryable: z.boolean(),
  requestId,
  clientMessageId: z.string().optional().describe("the message.send / message.edit this error answers"),
  runId: z.string().optional().describe("the run this error concerns (run.resume, run.stop, a fell-behind notice)"),
  /** the client frame's type, when it could be read */
  frameType: z.string().optional(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  retryAfterMs: z.number().int().nonnegative().optional(),
});

export const messageAcceptedFrameSchema = z.object({
  type: z.literal("message.accepted"),
  clientMessageId: z.string(),
  conversationId: z.string(),
  userMessageId: z.string(),
  runId: z.string().nullable().describe("null when the resend matched a message whose run already ended"),
  duplicate: z.boolean(),
});

export const conversationListResultSchema = z.object({
  type: z.literal("conversation.list.result"),
  requestId,
  conversations: z.array(conversationSchema.extend({ snippet: z.string().nullable() })),
});

export const conversationHistoryResultSchema = z.object({
  type: z.literal("conversation.history.result"),
  requestId,
  conversation: conversationSchema,
  messages: z.array(messageSchema),
  pinnedFacts: z.array(pinnedFactSchema),
  activeRun: z
    .object({
      runId: z.string(),
      lastIndex: z.number().int(),
      state: runStateSchema.describe("the run as its events up to lastIndex make it; resume after lastIndex for the rest"),
    })
    .nullable(),
  context: contextStatsSchema.nullable(),
});

/** A user message another tab (or client) added to a conversation this one has open, before its answer's run events. */
export const messageAddedFrameSchema = z.object({
  type: z.literal("message.added"),
  conversationId: z.string(),
  message: messageSchema,
  after: z.string().nullable().describe("the id of the message it follows; what came after that one was replaced (an edit); null: it is the first"),
});

export const conversationUpdatedFrameSchema = z.object({
  type: z.literal("conversation.updated"),
  requestId,
  conversation: conversationSchema,
});

export const conversationDeletedFrameSchema = z.object({
  type: z.literal("conversation.deleted"),
  requestId,
  conversationId: z.string(),
  restorableUntil: z.number().describe("epoch ms until which conversation.restore brings it back"),
});

export const memoryUpdatedFrameSchema = z.object({
  type: z.literal("memory.updated"),
  requestId,
  conversationId: z.string(),
  pinnedFacts: z.array(pinnedFactSchema),
  summary: z.string().nullable(),
  summarizedCount: z.number().int().nonnegative(),
});

export const modelStatusFrameSchema = z.object({ type: z.literal("model.status"), model: modelStatusSchema });

export const serverMetricsFrameSchema = z.object({
  type: z.literal("metrics.server"),
  at: z.number(),
  activeRuns: z.number().int().nonnegative(),
  connections: z.number().int().nonnegative(),
  runsPerMinute: z.number().nonnegative(),
  cacheHitRate: z.number().min(0).max(1).nullable(),
  ttftMs: z.object({ p50: z.number().nullable(), p95: z.number().nullable() }),
  tokensPerSecond: z.object({ p50: z.number().nullable(), p95: z.number().nullable() }),
  rssBytes: z.number().nonnegative(),
  heapUsedBytes: z.number().nonnegative(),
  cpuPercent: z.number().nonnegative(),
  eventLoopLagMs: z.number().nonnegative(),
});
export type ServerMetrics = z.infer<typeof serverMetricsFrameSchema>;

export const pongFrameSchema = z.object({ type: z.literal("pong"), at: z.number().optional(), serverTime: z.number() });

export const serverFrameSchemas = [
  welcomeFrameSchema,
  errorFrameSchema,
  messageAcceptedFrameSchema,
  ...runEventSchemas,
  conversationListResultSchema,
  conversationHistoryResultSchema,
  messageAddedFrameSchema,
  conversationUpdatedFrameSchema,
  conversationDeletedFrameSchema,
  memoryUpdatedFrameSchema,
  modelStatusFrameSchema,
  serverMetricsFrameSchema,
  pongFrameSchema,
] as const;
export const serverFrameSchema = z.discriminatedUnion("type", serverFrameSchemas);
export type ServerFrame = z.infer<typeof serverFrameSchema>;
export type ServerFrameType = ServerFrame["type"];
export type ServerFrameOf<T extends ServerFrameType> = Extract<ServerFrame, { type: T }>;
export type ErrorFrame = z.infer<typeof errorFrameSchema>;
