import { z } from "zod";
import { contextWindowSourceSchema } from "./context-window-source.js";

/** What the memory module put into the model request: the context meter's data. */
export const contextStatsSchema = z.object({
  contextWindow: z.number().int().positive(),
  promptBudget: z.number().int().nonnegative(),
  outputBudget: z.number().int().nonnegative(),
  promptTokens: z.number().int().nonnegative(),
  messagesIn: z.number().int().nonnegative(),
  messagesTotal: z.number().int().nonnegative(),
  messagesTrimmed: z.number().int().nonnegative(),
  messagesSummarized: z.number().int().nonnegative(),
  pinnedFacts: z.number().int().nonnegative(),
  hasSummary: z.boolean(),
  /** promptTokens / contextWindow, 0..1 */
  fill: z.number().min(0),
  tokenizer: z.string(),
  windowSource: contextWindowSourceSchema.optional().describe("where contextWindow came from (setting, error, server, engine, known, default)"),
  retrimmed: z.boolean().describe("true when the provider still refused for length and the run re-trimmed and retried"),
});
export type ContextStats = z.infer<typeof contextStatsSchema>;
