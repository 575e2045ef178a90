import { z } from "zod";
import { contextStatsSchema } from "./context-stats.js";

const ms = z.number().nonnegative();

export const stepMetricsSchema = z.object({
  stepId: z.string(),
  title: z.string(),
  /** offsets from the run's receivedAt */
  startMs: ms,
  firstTokenMs: ms.nullable(),
  endMs: ms,
  completionTokens: z.number().int().nonnegative(),
  finishReason: z.string(),
  /** the step's own decode rate: tokens after the first over the time between its first and last token */
  tokensPerSecond: z.number().nonnegative().nullable().optional(),
});
export type StepMetrics = z.infer<typeof stepMetricsSchema>;

/** What a model request was for: hidden work (classify, plan, summary) or text the user reads (step, synthesis, answer). */
export const requestRoleSchema = z.enum(["classify", "plan", "step", "synthesis", "answer"]);
export type RequestRole = z.infer<typeof requestRoleSchema>;

/** One model request of a run, for the metrics panel and the waterfall. Offsets from the run's receivedAt. */
export const requestMetricsSchema = z.object({
  role: requestRoleSchema,
  stepId: z.string().nullable(),
  agent: z.string(),
  startMs: ms,
  firstTokenMs: ms.nullable(),
  endMs: ms,
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  /** decode rate of this request: tokens after the first over the time between its first and last token */
  tokensPerSecond: z.number().nonnegative().nullable(),
  /** the cap sent as max_tokens */
  maxTokens: z.number().int().nonnegative(),
  finishReason: z.string(),
});
export type RequestMetrics = z.infer<typeof requestMetricsSchema>;

/** Timings are milliseconds since the server received the message (receivedAt). */
export const runMetricsSchema = z.object({
  receivedAt: z.number().describe("epoch ms when the server received the message"),
  requestBuiltMs: ms.nullable(),
  upstreamStartedMs: ms.nullable(),
  firstTokenMs: ms.nullable().describe("time to first token"),
  lastTokenMs: ms.nullable(),
  totalMs: ms,
  tokensPerSecond: z
    .number()
    .nonnegative()
    .nullable()
    .describe(
      "the model's decode rate over the run: tokens generated after each request's first, over the time they were generated (all requests, hidden ones included)",
    ),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  cacheHit: z.boolean(),
  retries: z.number().int().nonnegative(),
  provider: z.string(),
  model: z.string(),
  steps: z.array(stepMetricsSchema),
  /** every model request of the run, hidden ones (classify, plan) included; absent in runs stored before it existed */
  requests: z.array(requestMetricsSchema).optional(),
  /** completion tokens of hidden work, counted apart from the answer's */
  planningTokens: z.number().int().nonnegative().optional(),
  classificationTokens: z.number().int().nonnegative().optional(),
  context: contextStatsSchema.nullable(),
});
export type RunMetrics = z.infer<typeof runMetricsSchema>;
