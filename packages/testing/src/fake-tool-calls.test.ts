import { afterEach, describe, expect, it } from "vitest";
import { countOpenAIChatTokens } from "./count-openai-chat-tokens.js";
import { countOpenAIToolTokens } from "./count-openai-tool-tokens.js";
import type { FakeServerFlavour } from "./fake-flavour.js";
import { fakeOpenAIServers } from "./fake-openai-servers.js";
import { assembleToolCalls, chat, streamedToolCalls, userHello } from "./fake-server-requests.js";

const servers = fakeOpenAIServers();
afterEach(() => servers.closeAll());

const weather = {
  type: "function",
  function: {
    name: "get_weather",
    description: "The weather in a city",
    parameters: { type: "object", properties: { city: { type: "string", description: "the city" } }, required: ["city"] },
  },
};
const calls = [
  { name: "get_weather", arguments: { city: "Lisbon, Portugal", unit: "celsius" } },
  { name: "get_weather", arguments: '{"city":"Oslo"}' },
];

describe("fake tool calls, streamed", () => {
  it("streams each call OpenAI's way: index, id, type and name with empty arguments, then the arguments in pieces, then finish tool_calls", async () => {
    const s = await servers.start({ handler: () => ({ toolCalls: calls }) });
    const res = await chat(s, { stream: true, tools: [weather], tool_choice: "auto" });
    const { text, deltas, finish } = await streamedToolCalls(res);
    expect(text).toBe("");
    expect(finish).toBe("tool_calls");
    const first = deltas[0]![0]!;
    expect(first).toMatchObject({ index: 0, type: "function", function: { name: "get_weather", arguments: "" } });
    expect(first.id).toMatch(/^call_[A-Za-z0-9]{24}$/);
    const firstCallPieces = deltas.filter((d) => d[0]!.index === 0).slice(1);
    expect(firstCallPieces.length).toBeGreaterThan(3);
    expect(firstCallPieces.every((d) => d[0]!.id === undefined && d[0]!.function.name === undefined)).toBe(true);
    const assembled = assembleToolCalls(deltas);
    expect(assembled.map((c) => [c.name, JSON.parse(c.arguments)])).toEqual([
      ["get_weather", { city: "Lisbon, Portugal", unit: "celsius" }],
      ["get_weather", { city: "Oslo" }],
    ]);
    expect(s.toolCallsSent().map(({ id, name, arguments: args }) => ({ id, name, args }))).toEqual(
      assembled.map((c) => ({ id: c.id, name: c.name, args: c.arguments })),
    );
    const recorded = s.toolRequests()[0]!.chat!;
    expect(recorded.tools).toEqual([{ name: "get_weather", description: "The weather in a city", parameters: weather.function.parameters }]);
    expect(recorded.toolChoice).toBe("auto");
  });

  it("streams text before the calls when the reply has both", async () => {
    const s = await servers.start({ handler: () => ({ text: "Let me look.", toolCalls: [calls[1]!] }) });
    const { text, deltas, finish } = await streamedToolCalls(await chat(s, { stream: true, tools: [weather] }));
    expect(text).toBe("Let me look.");
    expect(assembleToolCalls(deltas)).toMatchObject([{ name: "get_weather", arguments: '{"city":"Oslo"}' }]);
    expect(finish).toBe("tool_calls");
  });

  it("ollama sends each call whole in one chunk, with its own short ids", async () => {
    const s = await servers.start({ flavour: "ollama", handler: () => ({ toolCalls: calls }) });
    const { deltas, finish } = await streamedToolCalls(await chat(s, { model: "qwen2.5:7b", stream: true, tools: [weather] }));
    expect(deltas).toHaveLength(2);
    expect(deltas[0]![0]).toMatchObject({ index: 0, type: "function", function: { name: "get_weather", arguments: JSON.stringify(calls[0]!.arguments) } });
    expect(deltas[1]![0]).toMatchObject({ index: 1, function: { name: "get_weather", arguments: '{"city":"Oslo"}' } });
    expect(deltas[0]![0]!.id).toMatch(/^call_[a-z0-9]{8}$/);
    expect(finish).toBe("tool_calls");
  });

  it("leaves the id out when the reply says null, and keeps a finish reason the reply sets (servers that say stop)", async () => {
    const s = await servers.start({ flavour: "llamacpp", handler: () => ({ toolCalls: [{ ...calls[1]!, id: null }], finishReason: "stop" }) });
    const { deltas, finish } = await streamedToolCalls(await chat(s, { stream: true, tools: [weather] }));
    expect(deltas.flat().every((d) => d.id === undefined)).toBe(true);
    expect(assembleToolCalls(deltas)).toEqual([{ name: "get_weather", arguments: '{"city":"Oslo"}' }]);
    expect(finish).toBe("stop");
    expect(s.toolCallsSent()[0]).toMatchObject({ id: null, requestIndex: 0 });
  });

  it("cuts the arguments at max_tokens and finishes with length", async () => {
    const s = await servers.start({ handler: () => ({ toolCalls: [calls[0]!] }) });
    const { deltas, finish } = await streamedToolCalls(await chat(s, { stream: true, tools: [weather], max_tokens: 4 }));
    expect(finish).toBe("length");
    const [call] = assembleToolCalls(deltas);
    // the name costs one token, three pieces of the arguments fit
    expect(deltas).toHaveLength(4);
    expect(() => JSON.parse(call!.arguments)).toThrow();
    expect(JSON.stringify(calls[0]!.arguments).startsWith(call!.arguments)).toBe(true);
  });

  it("cuts the stream inside the calls when cutAfterTokens counts into them", async () => {
    const s = await servers.start({ handler: () => ({ text: "a b", toolCalls: [calls[0]!], cutAfterTokens: 4 }) });
    const res = await chat(s, { stream: true, tools: [weather] });
    await expect(streamedToolCalls(res)).rejects.toThrow();
    expect(s.chatRequests()[0]!.serverCut).toBe(true);
    expect(s.toolCallsSent()).toHaveLength(1);
    expect(s.toolCallsSent()[0]!.arguments.length).toBeGreaterThan(0);
  });
});

describe("fake tool calls, not streamed", () => {
  it("answers message.tool_calls with null content and finish tool_calls, counting the calls in the usage", async () => {
    const s = await servers.start({ handler: () => ({ toolCalls: calls }) });
    const res = await chat(s, { tools: [weather] });
    const json = (await res.json()) as {
      choices: {
        message: { content: string | null; tool_calls: { id: string; type: string; function: { name: string; arguments: string } }[] };
        finish_reason: string;
      }[];
      usage: { completion_tokens: number };
    };
    const choice = json.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls.map((c) => [c.type, c.function.name, JSON.parse(c.function.arguments)])).toEqual([
      ["function", "get_weather", calls[0]!.arguments],
      ["function", "get_weather", { city: "Oslo" }],
    ]);
    expect(new Set(choice.message.tool_calls.map((c) => c.id)).size).toBe(2);
    expect(json.usage.completion_tokens).toBe(s.chatRequests()[0]!.tokensSent);
    expect(json.usage.completion_tokens).toBeGreaterThan(10);
  });
});

describe("fake tool requests", () => {
  it("counts the tools' definitions in the prompt tokens, as OpenAI bills them", async () => {
    const s = await servers.start();
    await (await chat(s, {})).json();
    await (await chat(s, { tools: [weather] })).json();
    const [plain, withTools] = s.chatRequests().map((r) => r.promptTokens!);
    expect(plain).toBe(countOpenAIChatTokens(userHello));
    expect(withTools).toBe(plain! + countOpenAIToolTokens([weather.function], false));
    expect(withTools! - plain!).toBeGreaterThan(20);
  });

  it("reads the tool results a request carries, named after the calls they answer, also under the JSON convention", async () => {
    const s = await servers.start();
    const messages = [
      { role: "user", content: "Weather?" },
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } }] },
      { role: "tool", tool_call_id: "call_1", content: "3 °C, rain" },
      { role: "user", content: "Tool result (calculate):\nResult: 42" },
    ];
    await (await chat(s, { messages, tools: [weather] })).json();
    expect(s.toolResults()).toEqual([
      { messageIndex: 2, convention: "native", name: "get_weather", toolCallId: "call_1", content: "3 °C, rain" },
      { messageIndex: 3, convention: "json", name: "calculate", toolCallId: null, content: "Result: 42" },
    ]);
  });

  it("refuses tool_choice without tools, and a tool with a name OpenAI does not allow", async () => {
    const s = await servers.start();
    const choice = await chat(s, { tool_choice: "auto" });
    expect(choice.status).toBe(400);
    expect(((await choice.json()) as { error: { message: string } }).error.message).toMatch(/only allowed when 'tools' are specified/);
    const badName = await chat(s, { tools: [{ type: "function", function: { name: "get weather" } }] });
    expect(badName.status).toBe(400);
    expect(((await badName.json()) as { error: { param: string } }).error.param).toBe("tools.0.function.name");
  });
});

describe("fake servers that refuse tools (refuseTools)", () => {
  const refusals: Array<[FakeServerFlavour, string, number, RegExp]> = [
    ["ollama", "qwen2.5:7b", 400, /^registry\.ollama\.ai\/library\/qwen2\.5:7b does not support tools$/],
    ["llamacpp", "m", 500, /^tools param requires --jinja flag$/],
    ["vllm", "m", 400, /^"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set$/],
    ["lmstudio", "m", 400, /^Error rendering prompt with jinja template/],
    ["openai", "m", 400, /^Unsupported parameter: 'tools' is not supported with this model\.$/],
  ];
  for (const [flavour, model, status, message] of refusals) {
    it(`${flavour} answers ${status} with its own words, and still answers a request without tools`, async () => {
      const s = await servers.start({ flavour, refuseTools: true });
      const refused = await chat(s, { model, tools: [weather] });
      expect(refused.status).toBe(status);
      const body = (await refused.json()) as { error: string | { message: string } };
      expect(typeof body.error === "string" ? body.error : body.error.message).toMatch(message);
      const plain = await chat(s, { model });
      expect(plain.status).toBe(200);
      await plain.json();
    });
  }

  it("vllm without auto tool choice still takes tool_choice none", async () => {
    const s = await servers.start({ flavour: "vllm", refuseTools: true });
    const res = await chat(s, { tools: [weather], tool_choice: "none" });
    expect(res.status).toBe(200);
    await res.json();
  });

  it("ollama's /api/show drops the tools capability of a model that refuses them", async () => {
    const s = await servers.start({ flavour: "ollama", refuseTools: true });
    const show = await fetch(`${s.rootUrl}/api/show`, { method: "POST", body: JSON.stringify({ model: "qwen2.5:7b" }) });
    expect(((await show.json()) as { capabilities: string[] }).capabilities).toEqual(["completion"]);
  });
});
