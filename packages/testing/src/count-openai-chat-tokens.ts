import { encode as encodeCl100k } from "gpt-tokenizer/encoding/cl100k_base";
import { encode as encodeO200k } from "gpt-tokenizer/encoding/o200k_base";

export type OpenAIEncodingName = "o200k_base" | "cl100k_base";

/** A chat message as the OpenAI API receives it (only the fields that cost tokens). */
export interface OpenAIChatMessageLike {
  role: string;
  content?: string | Array<{ type: string; text?: string }> | null;
  name?: string;
  tool_calls?: Array<{ function?: { name?: string; arguments?: string } }>;
}

/** OpenAI's chat framing: every message costs 3 tokens, a name 1 more, and the reply is primed with 3. */
export const OPENAI_TOKENS_PER_MESSAGE = 3;
export const OPENAI_TOKENS_PER_NAME = 1;
export const OPENAI_REPLY_PRIMING_TOKENS = 3;

// Special-token text inside user content is plain text to the API, so it must not throw or map to one id.
const asPlainText = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };

/** Tokens in plain text under the given encoding. */
export function countOpenAITextTokens(text: string, encoding: OpenAIEncodingName = "o200k_base"): number {
  if (text.length === 0) return 0;
  const encode = encoding === "o200k_base" ? encodeO200k : encodeCl100k;
  return encode(text, asPlainText).length;
}

function contentText(content: OpenAIChatMessageLike["content"]): string {
  if (content == null) return "";
  if (typeof content === "string") return content;
  return content.map((part) => (part.type === "text" && typeof part.text === "string" ? part.text : "")).join("");
}

/**
 * Prompt tokens of a chat request the way OpenAI's cookbook counts them (`num_tokens_from_messages`):
 * 3 per message, the encoded role and content (and name, +1), then 3 to prime the reply.
 * Tool calls add their function name and argument text.
 */
export function countOpenAIChatTokens(messages: readonly OpenAIChatMessageLike[], encoding: OpenAIEncodingName = "o200k_base"): number {
  let total = OPENAI_REPLY_PRIMING_TOKENS;
  for (const message of messages) {
    total += OPENAI_TOKENS_PER_MESSAGE;
    total += countOpenAITextTokens(message.role, encoding);
    total += countOpenAITextTokens(contentText(message.content), encoding);
    if (message.name !== undefined) total += OPENAI_TOKENS_PER_NAME + countOpenAITextTokens(message.name, encoding);
    for (const call of message.tool_calls ?? []) {
      total += countOpenAITextTokens(call.function?.name ?? "", encoding);
      total += countOpenAITextTokens(call.function?.arguments ?? "", encoding);
    }
  }
  return total;
}
