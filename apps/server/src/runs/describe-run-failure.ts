import { isLlmError } from "@alma/llm";
import { isContextOverflowError } from "@alma/memory";
import type { ErrorCode } from "@alma/protocol";

export interface RunFailure {
  code: ErrorCode;
  message: string;
  retryable: boolean;
}

/** Turns whatever ended a run into a typed error a user can act on; unknown errors never leak internals. */
export function describeRunFailure(err: unknown): RunFailure {
  if (isContextOverflowError(err)) {
    return {
      code: "message_too_long",
      message:
        err.code === "message_too_long"
          ? `Your message is about ${err.actualTokens} tokens, but this model can take at most ${err.maxTokens} tokens for it. Shorten it or split it into parts.`
          : `The instructions alone (${err.actualTokens} tokens) exceed what this model can take (${err.maxTokens} tokens). Raise ALMA_CONTEXT_WINDOW or lower ALMA_MAX_OUTPUT_TOKENS.`,
      retryable: false,
    };
  }
  if (isLlmError(err)) {
    if (err.code === "aborted") {
      return { code: "stream_interrupted", message: "The model's answer was cut off. Continue or retry it.", retryable: true };
    }
    return { code: err.code, message: err.message, retryable: err.retryable };
  }
  return {
    code: "internal",
    message: "Something went wrong on the server while answering. The partial answer was kept; try again.",
    retryable: true,
  };
}
