import type { ContextWindowSource } from "@alma/protocol";

// One locale, so the words read the same in every browser and in tests.
const tokens = new Intl.NumberFormat("en-US");

/**
 * The model's context window and where it came from, in words, for the model badge and the context meter.
 * `source` is absent from servers older than window provenance; `detail` (e.g. "vLLM: GET /v1/models max_model_len")
 * only travels with the model status, not with a run's context stats.
 */
export function describeContextWindow(window: { tokens: number; source?: ContextWindowSource | null; detail?: string | null }): string {
  const n = tokens.format(window.tokens);
  const size = `${n}-token window`;
  switch (window.source) {
    case "setting":
      return `${size}, from ALMA_CONTEXT_WINDOW`;
    case "error":
      return `${size}, learned from the server's refusal`;
    case "server":
      return window.detail ? `${size}, told by the server (${window.detail})` : `${size}, told by the server`;
    case "engine":
      return `${size}, the embedded engine's loaded context`;
    case "known":
      return `${size}, known OpenAI model`;
    case "default":
      return `assumed ${n} tokens: the server does not tell its window; set ALMA_CONTEXT_WINDOW to the model's context length`;
    default:
      return size;
  }
}
