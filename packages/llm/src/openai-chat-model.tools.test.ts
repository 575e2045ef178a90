import { countOpenAIChatTokens, countOpenAIToolTokens, fakeOpenAIServers, type FakeServerFlavour, withToolUse } from "@alma/testing";
import { afterEach, describe, expect, it } from "vitest";
import type { ChatMessage } from "./chat-message.js";
import type { ModelTool } from "./chat-model.js";
import { countOpenAIPromptTokens } from "./count-openai-tokens.js";
import { fakeOpenAIModels } from "./testing/fake-openai-model.js";
import { readChatStream, streamFailure } from "./testing/read-chat-stream.js";

const servers = fakeOpenAIServers();
afterEach(() => servers.closeAll());
const setup = fakeOpenAIModels(servers);

const calculate: ModelTool = {
  name: "calculate",
  description: "Evaluate JavaScript for exact arithmetic.",
  parameters: { type: "object", properties: { code: { type: "string", description: "JavaScript" } }, required: ["code"] },
};
const weather: ModelTool = {
  name: "get_weather",
  description: "The weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};
const loan: ChatMessage[] = [
  { role: "system", content: "You are the calculator." },
  { role: "user", content: "Calculate the monthly payment on a 300,000 loan at 6% over 30 years" },
];

describe("OpenAIChatModel function calling", () => {
  it("offers the tools, assembles the streamed call, and answers from the tool's result in a second request", async () => {
    const { server, model } = await setup({ handler: withToolUse() });
    expect(model.supportsTools()).toBe(true);
    const first = await readChatStream(model.stream(loan, { maxOutputTokens: 500, tools: [calculate] }));
    expect(first.text).toBe("");
    expect(first.done?.finishReason).toBe("tool_calls");
    expect(first.toolCalls).toHaveLength(1);
    const [call] = first.toolCalls;
    expect(call!.name).toBe("calculate");
    expect(call!.id).toBe(server.toolCallsSent()[0]!.id);
    expect(JSON.parse(call!.arguments).code).toMatch(/300000[\s\S]*Math\.round/);
    expect(server.chatRequests()[0]!.body).toMatchObject({
      tools: [{ type: "function", function: { name: "calculate", description: calculate.description, parameters: calculate.parameters } }],
      tool_choice: "auto",
    });

    const followUp: ChatMessage[] = [
      ...loan,
      { role: "assistant", content: "", toolCalls: first.toolCalls },
      { role: "tool", toolCallId: call!.id, content: "Result: 1798.65" },
    ];
    const answer = await readChatStream(model.stream(followUp, { maxOutputTokens: 500, tools: [calculate] }));
    expect(answer.text).toBe("The result is 1798.65.");
    expect(answer.toolCalls).toEqual([]);
    expect(answer.done?.finishReason).toBe("stop");
    const sent = server.chatRequests()[1]!.body as { messages: unknown[] };
    expect(sent.messages.slice(2)).toEqual([
      { role: "assistant", content: null, tool_calls: [{ id: call!.id, type: "function", function: { name: "calculate", arguments: call!.arguments } }] },
      { role: "tool", content: "Result: 1798.65", tool_call_id: call!.id },
    ]);
    expect(server.toolResults()).toEqual([expect.objectContaining({ name: "calculate", toolCallId: call!.id })]);
  });

  it("sends no tools and no tool_choice when none are offered", async () => {
    const { server, model } = await setup();
    await readChatStream(model.stream(loan, { maxOutputTokens: 20, tools: [] }));
    const body = server.chatRequests()[0]!.body as Record<string, unknown>;
    expect(body).not.toHaveProperty("tools");
    expect(body).not.toHaveProperty("tool_choice");
  });

  it("yields every call whole and in order before done, text first", async () => {
    const { model } = await setup({
      handler: () => ({
        text: "Checking both.",
        toolCalls: [
          { name: "get_weather", arguments: { city: "Oslo" } },
          { name: "get_weather", arguments: '{"city":"Rome"}' },
        ],
      }),
    });
    const chunks: string[] = [];
    for await (const chunk of model.stream(loan, { maxOutputTokens: 200, tools: [weather] })) chunks.push(chunk.type);
    expect(chunks.slice(-3)).toEqual(["tool_call", "tool_call", "done"]);
    const { text, toolCalls } = await readChatStream(model.stream(loan, { maxOutputTokens: 200, tools: [weather] }));
    expect(text).toBe("Checking both.");
    expect(toolCalls.map((c) => [c.name, JSON.parse(c.arguments)])).toEqual([
      ["get_weather", { city: "Oslo" }],
      ["get_weather", { city: "Rome" }],
    ]);
    expect(new Set(toolCalls.map((c) => c.id)).size).toBe(2);
  });

  it("reads Ollama's whole-call chunks", async () => {
    const { model } = await setup({ flavour: "ollama", handler: () => ({ toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] }) });
    const { toolCalls, done } = await readChatStream(model.stream(loan, { maxOutputTokens: 200, tools: [weather] }));
    expect(toolCalls).toEqual([{ id: expect.stringMatching(/^call_[a-z0-9]{8}$/), name: "get_weather", arguments: '{"city":"Oslo"}' }]);
    expect(done?.finishReason).toBe("tool_calls");
  });

  it("finishes with tool_calls when a server says stop after its calls, and makes up the ids it left out", async () => {
    const { model } = await setup({
      flavour: "llamacpp",
      handler: () => ({
        toolCalls: [
          { name: "get_weather", arguments: { city: "Oslo" }, id: null },
          { name: "calculate", arguments: '{"code":"1+1"}', id: null },
        ],
        finishReason: "stop",
      }),
    });
    const { toolCalls, done } = await readChatStream(model.stream(loan, { maxOutputTokens: 200, tools: [weather, calculate] }));
    expect(toolCalls.map((c) => c.id)).toEqual(["call_0", "call_1"]);
    expect(done?.finishReason).toBe("tool_calls");
  });

  it("keeps finish length when max tokens cut a call, and yields what came", async () => {
    const { model } = await setup({ handler: () => ({ toolCalls: [{ name: "calculate", arguments: { code: "1 + 2 + 3 + 4 + 5 + 6" } }] }) });
    const { toolCalls, done } = await readChatStream(model.stream(loan, { maxOutputTokens: 4, tools: [calculate] }));
    expect(done?.finishReason).toBe("length");
    expect(toolCalls).toHaveLength(1);
    expect(() => JSON.parse(toolCalls[0]!.arguments)).toThrow();
  });

  it("counts the tools' definitions and the calls when the server reports no usage, as the fake bills them", async () => {
    const { server, model } = await setup({ handler: () => ({ toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }], usage: "omit" }) });
    const { done } = await readChatStream(model.stream(loan, { maxOutputTokens: 200, tools: [weather, calculate] }));
    expect(done?.usage.reported).toBe(false);
    const withoutTools = countOpenAIChatTokens(loan);
    expect(done?.usage.promptTokens).toBe(withoutTools + countOpenAIToolTokens([weather, calculate], true));
    expect(done?.usage.promptTokens).toBe(server.chatRequests()[0]!.promptTokens);
    expect(countOpenAIPromptTokens(loan, [weather])).toBeLessThan(done!.usage.promptTokens);
    // the name, the arguments and the call's framing
    expect(done?.usage.completionTokens).toBeGreaterThanOrEqual(8);
  });
});

describe("OpenAIChatModel when the server refuses tools", () => {
  const flavours: Array<[FakeServerFlavour, RegExp]> = [
    ["ollama", /does not support tools/],
    ["llamacpp", /tools param requires --jinja flag/],
    ["vllm", /--enable-auto-tool-choice/],
    ["lmstudio", /Error rendering prompt with jinja template/],
    ["openai", /Unsupported parameter: 'tools'/],
  ];
  for (const [flavour, words] of flavours) {
    it(`${flavour}: throws toolsRefused with the server's words, and supportsTools turns false`, async () => {
      const { model } = await setup({ flavour, refuseTools: true, handler: () => "plain answer" });
      const error = await streamFailure(model.stream(loan, { maxOutputTokens: 50, tools: [calculate] }));
      expect(error).toMatchObject({ code: "provider_bad_request", toolsRefused: true, retryable: false });
      expect(error.message).toMatch(/takes no tools .*JSON tool convention/);
      expect(error.message).toMatch(words);
      expect(model.supportsTools()).toBe(false);
      // the same request without tools (the JSON convention's) goes through
      const { text } = await readChatStream(model.stream(loan, { maxOutputTokens: 50 }));
      expect(text).toBe("plain answer");
    });
  }

  it("does not take another failure of a request with tools for a refusal", async () => {
    const { model } = await setup({ handler: () => ({ error: { status: 500, message: "CUDA out of memory" } }) });
    const error = await streamFailure(model.stream(loan, { maxOutputTokens: 50, tools: [calculate] }));
    expect(error).toMatchObject({ code: "provider_unavailable", toolsRefused: false, retryable: true });
    expect(model.supportsTools()).toBe(true);
  });

  it("does not take the words of a refusal for one when no tools were sent", async () => {
    const { model } = await setup({ handler: () => ({ error: { status: 400, message: "this model does not support tools" } }) });
    const error = await streamFailure(model.stream(loan, { maxOutputTokens: 50 }));
    expect(error.toolsRefused).toBe(false);
    expect(model.supportsTools()).toBe(true);
  });
});
