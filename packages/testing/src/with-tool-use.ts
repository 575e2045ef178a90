import { answerFromToolResults } from "./answer-from-tool-results.js";
import { chooseToolCall } from "./choose-tool-call.js";
import { defaultFakeHandler, type FakeChatRequest, type FakeHandler, type FakeReply } from "./fake-handler.js";
import { jsonConventionCall, jsonConventionTools, withoutJsonConvention } from "./json-convention-tools.js";
import { isJsonToolResult, messageText } from "./read-tool-results.js";
import { splitIntoModelTokens } from "./split-into-model-tokens.js";

/**
 * A fake model that uses tools: when a request offers tools (OpenAI `tools`, or the JSON tool convention's
 * instructions in its text) and carries no tool result after its last user message, it calls the tool the
 * question asks for (see `chooseToolCall`); once the results are back it answers from them
 * (`answerFromToolResults`). Everything else goes to `inner`.
 */
export function withToolUse(inner: FakeHandler = defaultFakeHandler): FakeHandler {
  return (request) => toolUseReply(request) ?? inner(request);
}

/** the tool-use reply for one request, or null when the request is not about tools */
export function toolUseReply(request: FakeChatRequest): FakeReply | null {
  const { messages } = request;
  let lastUser = -1;
  for (const [i, m] of messages.entries()) if (m.role === "user" && !isJsonToolResult(m)) lastUser = i;
  const results = request.toolResults.filter((r) => r.messageIndex > lastUser);
  if (results.length > 0) return { text: answerFromToolResults(results) };
  if (request.toolChoice === "none") return null;

  const system = messages
    .filter((m) => m.role === "system" || m.role === "developer")
    .map(messageText)
    .join("\n\n");
  const question = lastUser === -1 ? "" : messageText(messages[lastUser]!);
  if (request.tools.length > 0) {
    const call = chooseToolCall(`${withoutJsonConvention(question)}\n\n${withoutJsonConvention(system)}`, request.tools);
    return call ? { toolCalls: [call] } : null;
  }
  // a model without function calling: the tools are in the text, and the call is a JSON object as the answer
  const tools = jsonConventionTools(`${system}\n\n${question}`);
  if (tools.length === 0) return null;
  const call = chooseToolCall(`${withoutJsonConvention(question)}\n\n${withoutJsonConvention(system)}`, tools);
  return call ? { tokens: splitIntoModelTokens(jsonConventionCall(call.name, call.arguments)) } : null;
}
