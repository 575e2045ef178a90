import { describe, expect, it } from "vitest";
import type { ChatMessage } from "./chat-message.js";
import { toLlamaChatHistory } from "./to-llama-chat-history.js";

const call = { id: "call_1", name: "calculate", arguments: '{"code":"6 * 7"}' };

describe("toLlamaChatHistory", () => {
  it("maps the roles and ends in an empty model turn for the answer", () => {
    const messages: ChatMessage[] = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello!" },
      { role: "user", content: "Bye" },
    ];
    expect(toLlamaChatHistory(messages)).toEqual([
      { type: "system", text: "Be brief." },
      { type: "user", text: "Hi" },
      { type: "model", response: ["Hello!"] },
      { type: "user", text: "Bye" },
      { type: "model", response: [] },
    ]);
  });

  it("folds tool results into the calls they answer, and the model continues that turn", () => {
    const messages: ChatMessage[] = [
      { role: "user", content: "What is 6 * 7?" },
      { role: "assistant", content: "Let me compute.", toolCalls: [call, { id: "call_2", name: "calculate", arguments: "not json" }] },
      { role: "tool", toolCallId: "call_1", content: "Result: 42" },
      { role: "tool", toolCallId: "call_2", content: "Error (invalid_json): not JSON" },
    ];
    expect(toLlamaChatHistory(messages)).toEqual([
      { type: "user", text: "What is 6 * 7?" },
      {
        type: "model",
        response: [
          "Let me compute.",
          { type: "functionCall", name: "calculate", params: { code: "6 * 7" }, result: "Result: 42", startsNewChunk: true },
          { type: "functionCall", name: "calculate", params: "not json", result: "Error (invalid_json): not JSON" },
        ],
      },
    ]);
  });

  it("keeps a result whose call was trimmed away as text, and answers after a finished tool turn in a new one", () => {
    const messages: ChatMessage[] = [
      { role: "tool", toolCallId: "call_0", content: "Result: 1" },
      { role: "assistant", content: "", toolCalls: [call] },
      { role: "tool", toolCallId: "call_1", content: "Result: 42" },
      { role: "assistant", content: "It is 42." },
      { role: "user", content: "Thanks" },
    ];
    const history = toLlamaChatHistory(messages);
    expect(history[0]).toEqual({ type: "user", text: "Tool result (call_0):\nResult: 1" });
    expect(history[1]).toEqual({
      type: "model",
      response: [{ type: "functionCall", name: "calculate", params: { code: "6 * 7" }, result: "Result: 42", startsNewChunk: true }],
    });
    expect(history.slice(2)).toEqual([
      { type: "model", response: ["It is 42."] },
      { type: "user", text: "Thanks" },
      { type: "model", response: [] },
    ]);
  });
});
