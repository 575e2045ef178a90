import type { ChatMessage } from "@alma/llm";

/**
 * Puts a role's system prompt in front of the trimmed conversation. When the memory module built the first
 * system message from `previous` (adding pinned facts or a summary after it), only that prefix is swapped,
 * so what memory added stays.
 */
export function withSystemPrompt(messages: ChatMessage[], system: string, previous?: string): ChatMessage[] {
  const first = messages[0];
  if (first?.role === "system") {
    const content = previous && first.content.startsWith(previous) ? system + first.content.slice(previous.length) : system;
    return [{ role: "system", content }, ...messages.slice(1)];
  }
  return [{ role: "system", content: system }, ...messages];
}
