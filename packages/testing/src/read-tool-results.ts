import type { FakeOfferedTool, FakeToolResult } from "./fake-handler.js";
import type { OpenAIChatMessage, OpenAIChatRequest } from "./openai-chat-request-schema.js";

/** the header of a result under the JSON tool convention (`jsonToolResultMessage` in @alma/tools) */
const JSON_RESULT_HEADER = /^Tool result \(([^)\n]*)\):\n?/;

/** A message's text: its string content, or its text parts joined. */
export function messageText(message: OpenAIChatMessage): string {
  const content = message.content;
  if (content == null) return "";
  if (typeof content === "string") return content;
  return content.map((part) => (part.type === "text" && typeof part.text === "string" ? part.text : "")).join("");
}

/** true for a user message that carries a tool's result under the JSON convention */
export function isJsonToolResult(message: OpenAIChatMessage): boolean {
  return message.role === "user" && JSON_RESULT_HEADER.test(messageText(message));
}

/** The tool results among a request's messages: `tool` messages named after the call they answer, and JSON-convention ones. */
export function readToolResults(messages: readonly OpenAIChatMessage[]): FakeToolResult[] {
  const callNames = new Map<string, string>();
  const results: FakeToolResult[] = [];
  for (const [messageIndex, message] of messages.entries()) {
    for (const call of message.tool_calls ?? []) {
      if (call.id && call.function?.name) callNames.set(call.id, call.function.name);
    }
    if (message.role === "tool") {
      const toolCallId = message.tool_call_id ?? null;
      const name = (toolCallId !== null ? callNames.get(toolCallId) : undefined) ?? message.name ?? null;
      results.push({ messageIndex, convention: "native", name, toolCallId, content: messageText(message) });
      continue;
    }
    if (message.role !== "user") continue;
    const text = messageText(message);
    const header = JSON_RESULT_HEADER.exec(text);
    if (header) results.push({ messageIndex, convention: "json", name: header[1] || null, toolCallId: null, content: text.slice(header[0].length) });
  }
  return results;
}

/** The functions a body offers, as a handler reads them. */
export function offeredTools(body: Pick<OpenAIChatRequest, "tools">): FakeOfferedTool[] {
  return (body.tools ?? []).map(({ function: f }) => ({ name: f.name, description: f.description ?? "", parameters: f.parameters ?? {} }));
}
