import { countOpenAIPromptTokens, countOpenAITextTokens } from "@alma/llm";
import type { RequestMeasure } from "../agent-run.js";

/** counts as memory counts for an OpenAI model: o200k with the chat framing */
export function openAIMeasure(window: number): RequestMeasure {
  return {
    window: () => ({ tokens: window, source: "setting", detail: "the test's window", server: null }),
    countRequest: async (m) => countOpenAIPromptTokens(m),
    countText: async (t) => countOpenAITextTokens(t),
    truncate: async (t, max) => {
      let cut = t.slice(0, max * 4);
      while (cut && countOpenAITextTokens(cut) > max) cut = cut.slice(0, Math.floor(cut.length * 0.9));
      return cut;
    },
  };
}
