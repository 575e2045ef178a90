import type { ChatHistoryItem, ChatModelFunctionCall, ChatModelResponse } from "node-llama-cpp";
import type { ChatMessage, ToolCall } from "./chat-message.js";

/**
 * The chat in node-llama-cpp's terms, ending in the model turn it is to write: an empty one, or the last assistant
 * turn when it called tools, which the model continues once their results are in. An assistant's tool calls become
 * `functionCall` items carrying the results of the `tool` messages that answer them, as node-llama-cpp renders them
 * with the model's own template.
 */
export function toLlamaChatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const results = new Map<string, string>();
  for (const m of messages) if (m.role === "tool") results.set(m.toolCallId, m.content);
  const callIds = new Set(messages.flatMap((m) => (m.role === "assistant" ? (m.toolCalls ?? []).map((c) => c.id) : [])));

  const history: ChatHistoryItem[] = [];
  for (const m of messages) {
    switch (m.role) {
      case "system":
        history.push({ type: "system", text: m.content });
        break;
      case "user":
        history.push({ type: "user", text: m.content });
        break;
      case "assistant":
        history.push(modelTurn(m.content, m.toolCalls ?? [], results));
        break;
      case "tool":
        // a result whose call is not in the chat (trimmed away) is still worth reading
        if (!callIds.has(m.toolCallId)) history.push({ type: "user", text: `Tool result (${m.toolCallId}):\n${m.content}` });
        break;
    }
  }
  const last = messages.at(-1);
  const continues = last?.role === "tool" || (last?.role === "assistant" && (last.toolCalls?.length ?? 0) > 0);
  if (!continues) history.push({ type: "model", response: [] });
  return history;
}

function modelTurn(content: string, calls: readonly ToolCall[], results: ReadonlyMap<string, string>): ChatModelResponse {
  const response: ChatModelResponse["response"] = content ? [content] : [];
  for (const [i, call] of calls.entries()) {
    const item: ChatModelFunctionCall = {
      type: "functionCall",
      name: call.name,
      params: parseArguments(call.arguments),
      result: results.get(call.id) ?? "(no result)",
      ...(i === 0 ? { startsNewChunk: true } : {}),
    };
    response.push(item);
  }
  return { type: "model", response };
}

/** the arguments as the model wrote them: their JSON value, or the text when it is not JSON */
function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
