import { countMessageWithFraming, OPENAI_REPLY_PRIMING, OPENAI_TOKENS_PER_MESSAGE } from "@alma/llm";
import cl100k from "gpt-tokenizer/encoding/cl100k_base";
import o200k from "gpt-tokenizer/encoding/o200k_base";
import { estimateTokensInFunctions, type ChatCompletionFunctionDefinition } from "gpt-tokenizer/functionCalling";
import type { TokenCounter, ToolDefinition } from "./token-counter.js";

export type OpenAIEncodingName = "o200k_base" | "cl100k_base";

// User text is data, never control tokens: "<|endoftext|>" typed by a user is counted as plain text, as the API does.
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

const encodings = { o200k_base: o200k, cl100k_base: cl100k } as const;

/**
 * The encoding of an OpenAI model name: cl100k_base for gpt-3.5 and gpt-4 / gpt-4-turbo,
 * o200k_base for gpt-4o, gpt-4.1, gpt-4.5, o1/o3/o4, gpt-5 and any newer or unknown name.
 * A provider prefix ("openai/gpt-4o") is ignored.
 */
export function openAIEncodingForModel(model: string): OpenAIEncodingName {
  const name = model.toLowerCase().replace(/^.*\//, "");
  if (/^gpt-3\.5/.test(name) || /^gpt-4(-(?!o)|$)/.test(name) || /^text-embedding-(ada|3)/.test(name)) return "cl100k_base";
  return "o200k_base";
}

/** Exact counts for OpenAI chat models with gpt-tokenizer and the documented chat framing. */
export function createOpenAITokenCounter(model: string): TokenCounter {
  const encodingName = openAIEncodingForModel(model);
  const api = encodings[encodingName];
  const countText = (text: string): number => (text.length === 0 ? 0 : api.countTokens(text, PLAIN_TEXT));
  return {
    id: encodingName,
    replyPriming: OPENAI_REPLY_PRIMING,
    countText,
    countMessage: (message) => countMessageWithFraming(message, countText, OPENAI_TOKENS_PER_MESSAGE),
    countTools: (defs: readonly ToolDefinition[]) => estimateTokensInFunctions(defs as unknown as ChatCompletionFunctionDefinition[], countText),
  };
}

// the framing lives with the OpenAI provider's own counting, so both count a request the same way
export { countMessageWithFraming, OPENAI_REPLY_PRIMING, OPENAI_TOKENS_PER_MESSAGE, OPENAI_TOKENS_PER_NAME, OPENAI_TOKENS_PER_TOOL_CALL } from "@alma/llm";
