import type { ChatHistoryItem } from "node-llama-cpp";
import type { ChatMessage } from "./chat-message.js";

/** The chat in node-llama-cpp's terms, ending in the empty model turn it is to write; tool calls and results become text. */
export function toLlamaChatHistory(messages: ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map(toLlamaChatItem);
  history.push({ type: "model", response: [] });
  return history;
}

function toLlamaChatItem(m: ChatMessage): ChatHistoryItem {
  switch (m.role) {
    case "system":
      return { type: "system", text: m.content };
    case "user":
      return { type: "user", text: m.content };
    case "assistant": {
      const calls = (m.toolCalls ?? []).map((c) => `\n[called ${c.name}(${c.arguments})]`).join("");
      return { type: "model", response: [m.content + calls] };
    }
    case "tool":
      return { type: "user", text: `Tool result (${m.toolCallId}):\n${m.content}` };
  }
}
