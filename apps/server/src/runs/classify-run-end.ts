import type { FinishReason, MessageStatus } from "@alma/protocol";
import type { RunOutcome } from "../metrics/app-metrics.js";
import type { StopCause } from "./live-run.js";

export interface RunEnd {
  status: MessageStatus;
  finishReason: FinishReason;
  outcome: RunOutcome;
}

/**
 * How a run ended, from why it was stopped (if it was), whether it failed, and the agent's own finish reason: what
 * the stored message says (status, finish reason) and what the metrics count. A stop's cause wins over a failure,
 * since a stop is what made the request fail.
 */
export function classifyRunEnd(args: { cause: StopCause | null; failed: boolean; finishReason: FinishReason | null }): RunEnd {
  const { cause, failed, finishReason } = args;
  if (cause === "user" || cause === "abandoned") return { status: "stopped", finishReason: "stopped", outcome: "stopped" };
  if (cause === "deadline" || (!failed && finishReason === "deadline")) return { status: "stopped", finishReason: "deadline", outcome: "deadline" };
  if (cause === "shutdown") return { status: "interrupted", finishReason: "interrupted", outcome: "interrupted" };
  if (failed) return { status: "failed", finishReason: "error", outcome: "failed" };
  return { status: "complete", finishReason: finishReason ?? "stop", outcome: "completed" };
}
