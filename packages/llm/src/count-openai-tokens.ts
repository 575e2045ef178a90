import { encode } from "gpt-tokenizer/encoding/o200k_base";
import type { ChatMessage, ToolCall } from "./chat-message.js";
import type { ModelTool } from "./chat-model.js";
import { countOpenAIToolTokens } from "./count-openai-tool-tokens.js";

// Special-token text in user content is plain text to the API.
const asPlainText = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };

/** Tokens of plain text in OpenAI's o200k_base encoding. */
export function countOpenAITextTokens(text: string): number {
  return text.length === 0 ? 0 : encode(text, asPlainText).length;
}

/** The chat framing OpenAI's cookbook ("How to count tokens with tiktoken") documents for current chat models. */
export const OPENAI_TOKENS_PER_MESSAGE = 3;
export const OPENAI_TOKENS_PER_NAME = 1;
export const OPENAI_REPLY_PRIMING = 3;
/** per tool call: the same overhead gpt-tokenizer uses for a function call (name + arguments + 3) */
export const OPENAI_TOKENS_PER_TOOL_CALL = 3;

/** One message with the cookbook's framing, over any text counter (exact, or an estimate with its own framing). */
export function countMessageWithFraming(message: ChatMessage, countText: (text: string) => number, perMessage = OPENAI_TOKENS_PER_MESSAGE): number {
  let n = perMessage + countText(message.role) + countText(message.content);
  if (message.role !== "tool" && message.name) n += countText(message.name) + OPENAI_TOKENS_PER_NAME;
  if (message.role === "assistant" && message.toolCalls) {
    for (const call of message.toolCalls) {
      n += countText(call.id) + countText(call.name) + countText(call.arguments) + OPENAI_TOKENS_PER_TOOL_CALL;
    }
  }
  // every value of a message is counted in the cookbook's formula, so the tool_call_id is too
  if (message.role === "tool") n += countText(message.toolCallId);
  return n;
}

/**
 * Prompt tokens of a chat as OpenAI counts them (o200k_base): each message framed, then the reply's priming, and the
 * definitions of the tools the request offers.
 */
export function countOpenAIPromptTokens(messages: readonly ChatMessage[], tools: readonly ModelTool[] = []): number {
  let total = OPENAI_REPLY_PRIMING;
  for (const m of messages) total += countMessageWithFraming(m, countOpenAITextTokens);
  return (
    total +
    countOpenAIToolTokens(
      tools,
      messages.some((m) => m.role === "system"),
    )
  );
}

/** Completion tokens of an answer: its text and the calls it made (name, arguments and each call's framing). */
export function countOpenAICompletionTokens(text: string, calls: readonly ToolCall[] = []): number {
  let total = countOpenAITextTokens(text);
  for (const call of calls) total += countOpenAITextTokens(call.name) + countOpenAITextTokens(call.arguments) + OPENAI_TOKENS_PER_TOOL_CALL;
  return total;
}
