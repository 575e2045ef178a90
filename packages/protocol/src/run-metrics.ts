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
});
export type StepMetrics = z.infer<typeof stepMetricsSchema>;

/** Timings are milliseconds since the server received the message (receivedAt). */
export const runMetricsSchema = z.object({
  receivedAt: z.number().describe("epoch ms when the server received the message"),
  requestBuiltMs: ms.nullable(),
  upstreamStartedMs: ms.nullable(),
  firstTokenMs: ms.nullable().describe("time to first token"),
  lastTokenMs: ms.nullable(),
  totalMs: ms,
  tokensPerSecond: z.number().nonnegative().nullable().describe("completion tokens after the first, per second between first and last token"),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  cacheHit: z.boolean(),
  retries: z.number().int().nonnegative(),
  provider: z.string(),
  model: z.string(),
  steps: z.array(stepMetricsSchema),
  context: contextStatsSchema.nullable(),
});
export type RunMetrics = z.infer<typeof runMetricsSchema>;
