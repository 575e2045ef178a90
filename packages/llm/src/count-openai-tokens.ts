import { encode } from "gpt-tokenizer/encoding/o200k_base";
import type { ChatMessage } from "./chat-message.js";

// Special-token text in user content is plain text to the API.
const asPlainText = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };

/** Tokens of plain text in OpenAI's o200k_base encoding. */
export function countOpenAITextTokens(text: string): number {
  return text.length === 0 ? 0 : encode(text, asPlainText).length;
}

/**
 * Prompt tokens of a chat as OpenAI counts them: 3 per message, +1 per name, the encoded
 * role/content/name (and tool call names and arguments), then 3 to prime the reply.
 */
export function countOpenAIPromptTokens(messages: readonly ChatMessage[]): number {
  let total = 3;
  for (const m of messages) {
    total += 3 + countOpenAITextTokens(m.role) + countOpenAITextTokens(m.content);
    if ("name" in m && m.name !== undefined) total += 1 + countOpenAITextTokens(m.name);
    if (m.role === "assistant") for (const call of m.toolCalls ?? []) total += countOpenAITextTokens(call.name) + countOpenAITextTokens(call.arguments);
  }
  return total;
}
