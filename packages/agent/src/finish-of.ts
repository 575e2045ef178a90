import type { LlmError } from "@alma/llm";
import type { ErrorCode, FinishReason } from "@alma/protocol";
import type { GenerationFinish } from "./stream-generation.js";

/** Maps how a generation ended to the run's finish reason, telling a user stop from the deadline. */
export function finishOf(finish: GenerationFinish, stopped: AbortSignal, deadline: AbortSignal): FinishReason {
  if (finish === "aborted") return stopped.aborted ? "stopped" : deadline.aborted ? "deadline" : "stopped";
  // a reply that ended in tool calls is a finished turn; the answer's own end comes from the turn after the results
  if (finish === "tool_calls") return "stop";
  return finish;
}

export function runErrorOf(err: LlmError): { code: ErrorCode; message: string; retryable: boolean } {
  // "aborted" is not a failure the client sees; everything else keeps the provider's code and words
  return { code: err.code === "aborted" ? "internal" : err.code, message: err.message, retryable: err.retryable };
}

export function deadlineNote(deadlineMs: number): string {
  return `\n\n(The answer was cut here: the run reached its deadline of ${Math.round(deadlineMs / 1000)} s.)`;
}

/** Why a step was cut by the run's signal, in a user's words: their stop, or the server shutting down. */
export function stopNote(signal: AbortSignal): string {
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? "");
  if (reason.includes("shutdown")) return "stopped: the server shut down during it";
  if (reason.includes("abandoned")) return "stopped: nobody was following the answer any more";
  return "stopped by the user";
}
