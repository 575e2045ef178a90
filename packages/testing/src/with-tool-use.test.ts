import {
  DocumentIndex,
  ToolRegistry,
  createCalculatorTool,
  createResearcherSearchTool,
  jsonToolInstructions,
  jsonToolResultMessage,
  parseJsonToolCall,
} from "@alma/tools";
import { afterEach, describe, expect, it } from "vitest";
import { TOOL_MARKERS } from "./choose-tool-call.js";
import { fakeOpenAIServers } from "./fake-openai-servers.js";
import { assembleToolCalls, streamed, streamedToolCalls } from "./fake-server-requests.js";
import type { FakeOpenAIServer } from "./start-fake-openai.js";
import { withToolUse } from "./with-tool-use.js";

const servers = fakeOpenAIServers();
afterEach(() => servers.closeAll());
const ctx = () => ({ signal: new AbortController().signal });

type Message = Record<string, unknown>;

function post(s: FakeOpenAIServer, body: Record<string, unknown>) {
  return fetch(`${s.url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-4o-mini", stream: true, ...body }),
  });
}

/** One full round over HTTP: the fake calls a tool, the registry runs it, the result goes back, the fake answers. */
async function round(s: FakeOpenAIServer, registry: ToolRegistry, messages: Message[]) {
  const tools = registry.toOpenAITools();
  const first = await streamedToolCalls(await post(s, { messages, tools, tool_choice: "auto" }));
  const calls = assembleToolCalls(first.deltas);
  const results = await Promise.all(calls.map((c) => registry.callTool(c.name, c.arguments, ctx())));
  const followUp: Message[] = [
    ...messages,
    { role: "assistant", content: null, tool_calls: calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } })) },
    ...calls.map((c, i) => ({ role: "tool", tool_call_id: c.id, content: results[i]!.toModelText() })),
  ];
  const answer = await streamed(await post(s, { messages: followUp, tools }));
  return { first, calls, results, answer };
}

const calculator = () => new ToolRegistry([createCalculatorTool()]);

describe("withToolUse: the calculator", () => {
  it("computes a loan's monthly payment in the sandbox and answers with the sandbox's value", async () => {
    const s = await servers.start({ handler: withToolUse() });
    const { first, calls, results, answer } = await round(s, calculator(), [
      { role: "system", content: "You are the calculator." },
      { role: "user", content: "Calculate the monthly payment on a 300,000 loan at 6% over 30 years" },
    ]);
    expect(first.finish).toBe("tool_calls");
    expect(calls).toHaveLength(1);
    expect(calls[0]!.name).toBe("calculate");
    expect(JSON.parse(calls[0]!.arguments).code).toContain("300000");
    expect(results[0]).toMatchObject({ ok: true, value: { value: 1798.65 } });
    expect(answer.text).toBe("The result is 1798.65.");
    expect(answer.finish).toBe("stop");
    // the answering request carried the tool's result, named after the call
    expect(s.toolResults()).toEqual([expect.objectContaining({ name: "calculate", convention: "native", content: "Result: 1798.65" })]);
  });

  it("evaluates an arithmetic expression it finds in the question", async () => {
    const s = await servers.start({ handler: withToolUse() });
    const { calls, answer } = await round(s, calculator(), [{ role: "user", content: "What is (17 * 23 + 4) / 5, and 2^10?" }]);
    expect(JSON.parse(calls[0]!.arguments)).toEqual({ code: "(17 * 23 + 4) / 5" });
    expect(answer.text).toBe("The result is 79.");
  });

  it("calls run_javascript by that name when the calculator is offered under it", async () => {
    const s = await servers.start({ handler: withToolUse() });
    const tools = [{ type: "function", function: { name: "run_javascript", parameters: { type: "object", properties: { code: { type: "string" } } } } }];
    const { deltas } = await streamedToolCalls(await post(s, { messages: [{ role: "user", content: "How much is 12 * 12?" }], tools }));
    expect(assembleToolCalls(deltas)).toMatchObject([{ name: "run_javascript", arguments: '{"code":"12 * 12"}' }]);
  });
});

describe("withToolUse: search_documents", () => {
  it("searches with the question's key words and answers with the first quote and its page", async () => {
    const pages = [
      "The harbour opened in 1850 and ships came from far away.",
      "Marisol Quintero repaired the foghorn with a bicycle chain in 1911.",
      "The museum opens at nine.",
    ];
    let text = "";
    const spans = pages.map((page, i) => {
      const start = text.length;
      text += `${page}\n\n`;
      return { number: i + 1, start, end: text.length };
    });
    const index = new DocumentIndex();
    index.add({ id: "att-1", name: "harbour.txt", text, pages: spans });
    const registry = new ToolRegistry([createResearcherSearchTool(index)]);
    const s = await servers.start({ handler: withToolUse() });
    const { calls, answer } = await round(s, registry, [{ role: "user", content: "What did Marisol Quintero repair the foghorn with?" }]);
    expect(calls[0]!.name).toBe("search_documents");
    expect(JSON.parse(calls[0]!.arguments)).toEqual({ query: "marisol quintero repair foghorn" });
    expect(answer.text).toBe('According to the documents, "Marisol Quintero repaired the foghorn with a bicycle chain in 1911." (from harbour.txt, page 2).');
  });
});

describe("withToolUse: bad input markers", () => {
  it("calls a tool that does not exist, and answers from the registry's error", async () => {
    const s = await servers.start({ handler: withToolUse() });
    const { calls, results, answer } = await round(s, calculator(), [{ role: "user", content: `Add 2 + 2 ${TOOL_MARKERS.missingTool}` }]);
    expect(calls.map((c) => c.name)).toEqual(["no_such_tool"]);
    expect(results[0]!.ok).toBe(false);
    expect(answer.text).toMatch(/^The no_such_tool tool failed: Error \(unknown_tool\): There is no tool named "no_such_tool"/);
  });

  it("sends arguments that are not JSON", async () => {
    const s = await servers.start({ handler: withToolUse() });
    const { calls, answer } = await round(s, calculator(), [{ role: "user", content: `Compute it ${TOOL_MARKERS.badJson}` }]);
    expect(calls).toMatchObject([{ name: "calculate", arguments: '{"code": "1 +' }]);
    expect(answer.text).toMatch(/^The calculate tool failed: Error \(invalid_json\)/);
  });

  it("runs a script that loops forever, and says the sandbox stopped it", async () => {
    const s = await servers.start({ handler: withToolUse() });
    const { calls, answer } = await round(s, new ToolRegistry([createCalculatorTool({ timeLimitMs: 200 })]), [
      { role: "user", content: `Count to infinity ${TOOL_MARKERS.loopForever}` },
    ]);
    expect(JSON.parse(calls[0]!.arguments)).toEqual({ code: "while (true) {}" });
    expect(answer.text).toMatch(/^The calculate tool failed: Error \(timeout\): .*ran too long/);
  });
});

describe("withToolUse: models without function calling (the JSON convention)", () => {
  it("answers the call as a JSON object when the tools are only in the instructions, then answers from the result", async () => {
    const registry = calculator();
    const system = `You are the calculator.\n\n${jsonToolInstructions(registry.toOpenAITools())}`;
    const messages: Message[] = [
      { role: "system", content: system },
      { role: "user", content: "Calculate the monthly payment on a 300,000 loan at 6% over 30 years" },
    ];
    const s = await servers.start({ handler: withToolUse() });
    const first = await streamed(await post(s, { messages }));
    const call = parseJsonToolCall(first.text, { toolNames: registry.names() });
    expect(call.status).toBe("call");
    if (call.status !== "call") return;
    expect(call.tool).toBe("calculate");
    const result = await registry.callTool(call.tool, call.arguments, ctx());
    const answer = await streamed(
      await post(s, {
        messages: [...messages, { role: "assistant", content: first.text }, { role: "user", content: jsonToolResultMessage(call.tool, result.toModelText()) }],
      }),
    );
    expect(answer.text).toBe("The result is 1798.65.");
    expect(s.toolResults()).toMatchObject([{ convention: "json", name: "calculate", content: "Result: 1798.65" }]);
  });

  it("writes the bad-JSON marker's call cut off, which the convention's parser rejects", async () => {
    const system = jsonToolInstructions(calculator().toOpenAITools());
    const s = await servers.start({ handler: withToolUse() });
    const { text } = await streamed(
      await post(s, {
        messages: [
          { role: "system", content: system },
          { role: "user", content: `Go ${TOOL_MARKERS.badJson}` },
        ],
      }),
    );
    expect(text).toBe('{"tool": "calculate", "arguments": {"code": "1 +');
    expect(parseJsonToolCall(text)).toMatchObject({ status: "invalid", error: { code: "invalid_json" } });
  });
});

describe("withToolUse: everything else goes to the inner handler", () => {
  it("without tools, with tool_choice none, or when no tool fits the question", async () => {
    const s = await servers.start({ handler: withToolUse(() => "inner answer") });
    const tools = calculator().toOpenAITools();
    const ask = async (body: Record<string, unknown>) => (await streamed(await post(s, body))).text;
    expect(await ask({ messages: [{ role: "user", content: "What is 2 + 2?" }] })).toBe("inner answer");
    expect(await ask({ messages: [{ role: "user", content: "What is 2 + 2?" }], tools, tool_choice: "none" })).toBe("inner answer");
    expect(await ask({ messages: [{ role: "user", content: "Write a haiku about 2019-2020" }], tools })).toBe("inner answer");
  });

  it("answers with the default echo when no inner handler is given", async () => {
    const s = await servers.start({ handler: withToolUse() });
    expect((await streamed(await post(s, { messages: [{ role: "user", content: "Hi" }] }))).text).toBe("You said: Hi");
  });
});
