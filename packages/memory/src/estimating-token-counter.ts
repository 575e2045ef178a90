import o200k from "gpt-tokenizer/encoding/o200k_base";
import { OPENAI_TOKENS_PER_MESSAGE, countMessageWithFraming } from "./openai-token-counter.js";
import type { TokenCounter } from "./token-counter.js";

export interface EstimateOptions {
  /** fraction added to the o200k count; default 0.15 */
  margin?: number;
  /** UTF-8 bytes per token assumed for the byte floor; default 2.25 (p50k on German measured 2.4) */
  bytesPerToken?: number;
  /** tokens added to each message on top of OpenAI's framing, for unknown chat templates; default 4 */
  extraPerMessage?: number;
}

const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };
const utf8 = new TextEncoder();

/**
 * A conservative count for OpenAI-compatible servers whose tokenizer alma does not know.
 * A text counts `max(ceil(o200k × (1 + margin)), ceil(utf8Bytes / bytesPerToken))`: the first
 * term covers vocabularies close to o200k, the byte floor covers vocabularies of 100k+ tokens
 * (cl100k, Llama 3, Qwen) on non-English text. Servers with 32k-50k vocabularies (Llama 2,
 * Mistral, GPT-2-era BPE) split CJK text into ~2 bytes per token: set bytesPerToken 1.5 for them
 * (tested against p50k on a multilingual sample). Each message adds
 * OpenAI's framing plus `extraPerMessage` for longer chat templates (Llama 3's header tokens).
 * It over-counts on purpose; if a server still refuses, the agent re-trims with `shrinkBudget`.
 */
export function createEstimatingTokenCounter(options: EstimateOptions = {}): TokenCounter {
  const margin = options.margin ?? 0.15;
  const bytesPerToken = options.bytesPerToken ?? 2.25;
  const extra = options.extraPerMessage ?? 4;
  if (!(margin >= 0) || !(bytesPerToken > 0) || !(extra >= 0)) {
    throw new RangeError("createEstimatingTokenCounter: margin and extraPerMessage must be >= 0 and bytesPerToken > 0.");
  }
  const countText = (text: string): number => {
    if (text.length === 0) return 0;
    const bpe = Math.ceil(o200k.countTokens(text, PLAIN_TEXT) * (1 + margin));
    // a string's UTF-8 length is at most 3 bytes per UTF-16 unit, so only encode when the floor could win
    const bytes = text.length * 3 > bpe * bytesPerToken ? utf8.encode(text).length : 0;
    return Math.max(bpe, Math.ceil(bytes / bytesPerToken));
  };
  return {
    id: "estimate",
    replyPriming: 3 + extra,
    countText,
    countMessage: (message) => countMessageWithFraming(message, countText, OPENAI_TOKENS_PER_MESSAGE + extra),
  };
}
