import { createEstimatingTokenCounter } from "./estimating-token-counter.js";
import { createOpenAITokenCounter } from "./openai-token-counter.js";
import type { TokenCounter } from "./token-counter.js";

/** true for names OpenAI uses (gpt-*, o1/o3/o4*, chatgpt-*), with or without a provider prefix */
export function isOpenAIModelName(model: string): boolean {
  const name = model.toLowerCase().replace(/^.*\//, "");
  return /^(gpt-|chatgpt-|o\d(-|$))/.test(name) && !/^gpt-oss/.test(name);
}

/**
 * Picks the counter for a model: the model's own tokenizer for local models (when given), exact
 * OpenAI counts for OpenAI model names, and the conservative estimate for any other
 * OpenAI-compatible server (Ollama, vLLM, LM Studio ... serving a model of unknown vocabulary).
 */
export function selectTokenCounter(args: { provider: string; model: string; localCounter?: TokenCounter }): TokenCounter {
  if (args.localCounter) return args.localCounter;
  if (args.provider !== "local" && isOpenAIModelName(args.model)) return createOpenAITokenCounter(args.model);
  if (args.provider === "scripted") return createOpenAITokenCounter("gpt-4o");
  return createEstimatingTokenCounter();
}
