import type { ChatCompletionMessageParam, ChatCompletionTool } from "openai/resources/chat/completions";
import type { ChatMessage } from "./chat-message.js";
import type { ModelFinishReason, ModelTool } from "./chat-model.js";

/** A message as the chat completions API takes it. */
export function toOpenAIMessage(m: ChatMessage): ChatCompletionMessageParam {
  switch (m.role) {
    case "system":
      return { role: "system", content: m.content, ...(m.name ? { name: m.name } : {}) };
    case "user":
      return { role: "user", content: m.content, ...(m.name ? { name: m.name } : {}) };
    case "assistant":
      return {
        role: "assistant",
        // a turn that only calls tools has no text: null, as OpenAI sends it (some templates choke on "")
        content: m.content === "" && m.toolCalls?.length ? null : m.content,
        ...(m.name ? { name: m.name } : {}),
        ...(m.toolCalls?.length
          ? { tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: "function" as const, function: { name: c.name, arguments: c.arguments } })) }
          : {}),
      };
    case "tool":
      return { role: "tool", content: m.content, tool_call_id: m.toolCallId };
  }
}

/** A finish reason as alma names it (function_call is the legacy name of tool_calls). */
export function toFinishReason(reason: string): ModelFinishReason {
  if (reason === "length") return "length";
  if (reason === "content_filter") return "content_filter";
  if (reason === "tool_calls" || reason === "function_call") return "tool_calls";
  return "stop";
}

/** A tool as an entry of `tools`. */
export function toOpenAITool(tool: ModelTool): ChatCompletionTool {
  return { type: "function", function: { name: tool.name, description: tool.description, parameters: tool.parameters } };
}
