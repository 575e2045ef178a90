import { z } from "zod";

export const usageSchema = z.object({
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  /** true when the provider reported the figures; false when alma counted them itself */
  reported: z.boolean(),
});
export type Usage = z.infer<typeof usageSchema>;

export const finishReasonSchema = z
  .enum(["stop", "length", "stopped", "deadline", "error", "interrupted", "content_filter"])
  .describe(
    "stop: natural end; length: output budget reached; stopped: the user stopped it; deadline: the run's deadline ended it; error: a failure ended it; interrupted: the server went down mid-run",
  );
export type FinishReason = z.infer<typeof finishReasonSchema>;
