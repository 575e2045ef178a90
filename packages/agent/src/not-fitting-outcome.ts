import { LlmError } from "@alma/llm";
import { nowMs, type GenerationOutcome } from "./stream-generation.js";

/** The outcome of a request that was not sent: even trimmed to its newest message it leaves no room for an answer. */
export function notFittingOutcome(promptTokens: number, window: number): GenerationOutcome {
  const at = nowMs();
  return {
    text: "",
    deltas: [],
    finishReason: "error",
    completionTokens: 0,
    promptTokens: 0,
    reported: false,
    error: new LlmError(
      "provider_context_length",
      `The request takes ${promptTokens} tokens and leaves no room for an answer in the model's ${window}-token window. Shorten your message or start a new conversation.`,
    ),
    startedAt: at,
    firstTokenAt: null,
    lastTokenAt: null,
    toolCalls: [],
    maxOutputTokens: 0,
    responseModel: null,
  };
}
