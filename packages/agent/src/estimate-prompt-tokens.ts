import type { ChatMessage } from "@alma/llm";

/**
 * A rough prompt size for when neither the provider nor a tokenizer gave one: about four characters per
 * token plus OpenAI's per-message framing. Only a fallback, so usage is not reported as zero.
 */
export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  let total = 3;
  for (const m of messages) {
    total += 4 + Math.ceil(m.content.length / 4);
    // a tool round's calls and ids take room too: a loop of them must not look smaller than it is
    if (m.role === "assistant" && m.toolCalls) for (const c of m.toolCalls) total += 3 + Math.ceil((c.id.length + c.name.length + c.arguments.length) / 4);
    if (m.role === "tool") total += Math.ceil(m.toolCallId.length / 4);
  }
  return total;
}
