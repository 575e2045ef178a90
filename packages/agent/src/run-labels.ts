import { errorText } from "@alma/llm";
import { errorCodeSchema, type FinishReason } from "@alma/protocol";
import type { AgentRunResult } from "./agent-run.js";
import type { Pace } from "./run-analytical.js";
import type { SingleShape } from "./plan-run-shape.js";

/** The progress line of a one-pass analytical answer: why there is no plan, in a user's words. */
export function directLabel(shape: SingleShape, pace: Pace, deadlineMs: number): string {
  if (shape.reason === "slow") {
    return `Answering directly: the model writes about ${Math.round(pace.tokensPerSecond)} tokens/s, too slow to plan within ${Math.round(deadlineMs / 1000)} s`;
  }
  if (shape.reason === "window") return "Answering directly: the model's context window is too small for a plan";
  return "Answering directly";
}

export function doneLabel(finish: FinishReason): string {
  const labels: Partial<Record<FinishReason, string>> = {
    stopped: "Stopped",
    deadline: "Cut at the run's deadline",
    length: "Stopped at the output budget",
    content_filter: "Stopped by the provider's content filter",
  };
  return labels[finish] ?? "Done";
}

/** buildContext failures (a message too long for the model, say) carry their own code when memory gives one. */
export function contextError(e: unknown): NonNullable<AgentRunResult["error"]> {
  const code = errorCodeSchema.safeParse((e as { code?: unknown } | null)?.code);
  const message = errorText(e);
  return {
    code: code.success ? code.data : "internal",
    message: code.success ? message : `The conversation could not be prepared for the model: ${message}. Try again; if it persists, start a new conversation.`,
    retryable: false,
  };
}
