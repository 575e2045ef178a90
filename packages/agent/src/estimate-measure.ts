import type { ChatModel } from "@alma/llm";
import type { RequestMeasure } from "./agent-run.js";
import { estimatePromptTokens } from "./estimate-prompt-tokens.js";

/** The window when nothing measures it: the model's own, else the conservative default. */
export const FALLBACK_WINDOW = 4096;

/** Counting by estimate when the run was given no memory measure (tests, scripts). */
export function estimateMeasure(model: ChatModel): RequestMeasure {
  return {
    window: () =>
      model.contextWindowInfo?.() ?? {
        tokens: model.contextWindow() ?? FALLBACK_WINDOW,
        source: model.contextWindow() ? "engine" : "default",
        detail: model.contextWindow() ? "the model's own window" : "assumed: nothing told the window",
        server: null,
      },
    countRequest: async (messages) => estimatePromptTokens(messages),
    countText: async (text) => Math.ceil(text.length / 4),
    truncate: async (text, maxTokens) => text.slice(0, Math.max(0, maxTokens * 4)),
  };
}
