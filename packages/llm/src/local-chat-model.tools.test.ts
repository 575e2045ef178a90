import { fileURLToPath } from "node:url";
import { QwenChatWrapper } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage } from "./chat-message.js";
import type { ModelTool } from "./chat-model.js";
import { LocalChatModel } from "./local-chat-model.js";
import { readChatStream } from "./testing/read-chat-stream.js";

const STORIES = fileURLToPath(new URL("../../../../shared/models/stories260K.gguf", import.meta.url));

const calculate: ModelTool = {
  name: "calculate",
  description: "Evaluate JavaScript for exact arithmetic.",
  parameters: { type: "object", properties: { code: { type: "string", minLength: 1 } }, required: ["code"], additionalProperties: false },
};
const question: ChatMessage[] = [
  { role: "system", content: "You tell short stories." },
  { role: "user", content: "Once upon a time a cat counted six times seven fish." },
];
const afterCall: ChatMessage[] = [
  ...question,
  { role: "assistant", content: "", toolCalls: [{ id: "call_1", name: "calculate", arguments: '{"code":"6 * 7"}' }] },
  { role: "tool", toolCallId: "call_1", content: "Result: 42" },
];

describe("LocalChatModel tools on stories260K (no chat template)", () => {
  let model: LocalChatModel;
  beforeAll(async () => {
    model = new LocalChatModel({ model: STORIES, threads: 1, autoLoad: false, progressBar: false });
    expect(model.supportsTools()).toBe(false);
    await model.load();
  });
  afterAll(() => model.close());

  it("says it takes no tools, and answers a request with tools in text, the tools left out of the prompt", async () => {
    expect(model.chatWrapperName()).toBe("General");
    expect(model.supportsTools()).toBe(false);
    const { text, toolCalls, done } = await readChatStream(model.stream(question, { maxOutputTokens: 16, tools: [calculate] }));
    expect(text.trim().length).toBeGreaterThan(0);
    expect(toolCalls).toEqual([]);
    expect(done?.finishReason).toBe("length");
    expect(done?.usage.promptTokens).toBe(await model.countPromptTokens(question));
  });

  it("renders a history with tool calls and results, and goes on from there", async () => {
    const { text, done } = await readChatStream(model.stream(afterCall, { maxOutputTokens: 8 }));
    expect(text.length).toBeGreaterThan(0);
    expect(done?.usage.promptTokens).toBe(await model.countPromptTokens(afterCall));
    expect(done!.usage.promptTokens).toBeGreaterThan(await model.countPromptTokens(question));
  });
});

describe("LocalChatModel tools with a function-calling chat format", () => {
  let model: LocalChatModel;
  beforeAll(async () => {
    model = new LocalChatModel({ model: STORIES, threads: 1, autoLoad: false, progressBar: false, chatWrapper: new QwenChatWrapper() });
    await model.load();
  });
  afterAll(() => model.close());

  it("says it takes tools, documents them in the prompt, and generates with them to a done", async () => {
    expect(model.supportsTools()).toBe(true);
    const plain = await readChatStream(model.stream(question, { maxOutputTokens: 8 }));
    const withTools = await readChatStream(model.stream(question, { maxOutputTokens: 8, tools: [calculate] }));
    // the function's description and parameters are in the system prompt node-llama-cpp renders
    expect(withTools.done!.usage.promptTokens).toBeGreaterThan(plain.done!.usage.promptTokens + 20);
    expect(withTools.done).toBeDefined();
    // a call, if the tiny model made one, is whole and names the offered tool
    for (const call of withTools.toolCalls) {
      expect(call.name).toBe("calculate");
      expect(() => JSON.parse(call.arguments)).not.toThrow();
    }
    if (withTools.toolCalls.length > 0) expect(withTools.done!.finishReason).toBe("tool_calls");
    else expect(["stop", "length"]).toContain(withTools.done!.finishReason);
  });

  it("continues the model's turn after tool results", async () => {
    const { done } = await readChatStream(model.stream(afterCall, { maxOutputTokens: 8, tools: [calculate] }));
    expect(done).toBeDefined();
    expect(["stop", "length", "tool_calls"]).toContain(done!.finishReason);
  });
});
