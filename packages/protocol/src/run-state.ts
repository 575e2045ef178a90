import { z } from "zod";
import { contextStatsSchema } from "./context-stats.js";
import { messageStatusSchema, stepRecordSchema } from "./conversation.js";
import { runMetricsSchema } from "./run-metrics.js";
import { progressPhaseSchema } from "./progress-phase.js";
import { taskTypeSchema } from "./task-type.js";
import { finishReasonSchema, usageSchema } from "./usage.js";

export const runProgressSchema = z.object({
  phase: progressPhaseSchema,
  label: z.string(),
  step: z.object({ id: z.string(), index: z.number().int().nonnegative(), total: z.number().int().positive() }).nullable(),
});
export type RunProgress = z.infer<typeof runProgressSchema>;

/**
 * A run as its events so far make it: what `applyRunEvent` folds them into. The server keeps one per live run (a
 * viewer that joins mid-run gets it with `lastIndex`, then every event after), stores what it gives, and every
 * client (web, CLI, tests) folds the same events the same way.
 */
export const runStateSchema = z.object({
  runId: z.string(),
  conversationId: z.string().nullable(),
  userMessageId: z.string().nullable(),
  assistantMessageId: z.string().nullable(),
  /** index of the last event folded in; -1 before the first */
  lastIndex: z.number().int().min(-1),
  /** run.token events folded in (the next token's seq) */
  tokens: z.number().int().nonnegative(),
  status: messageStatusSchema,
  taskType: taskTypeSchema.nullable(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  /** the answer, or for an analytical run the synthesis (tokens without a stepId); a continued run starts from the kept part */
  text: z.string(),
  steps: z.array(stepRecordSchema),
  /** the planner is still writing: later run.plan events may add steps */
  planning: z.boolean(),
  progress: runProgressSchema.nullable(),
  context: contextStatsSchema.nullable(),
  finishReason: finishReasonSchema.nullable(),
  usage: usageSchema.nullable(),
  metrics: runMetricsSchema.nullable(),
  cacheHit: z.boolean(),
  error: z.object({ code: z.string(), message: z.string(), retryable: z.boolean(), partial: z.boolean() }).nullable(),
  /** epoch ms on the server's clock */
  startedAt: z.number().nullable(),
  firstTokenAt: z.number().nullable(),
  lastTokenAt: z.number().nullable(),
});
export type RunState = z.infer<typeof runStateSchema>;
