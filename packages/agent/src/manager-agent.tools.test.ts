import { LlmError, ScriptedChatModel, type ChatMessage, type GenerateOptions } from "@alma/llm";
import { describe, expect, it } from "vitest";
import { ManagerAgent } from "./manager-agent.js";
import type { AgentEvent } from "./run-scope.js";
import { FINAL_ROUND_INSTRUCTION, MAX_TOOL_ROUNDS } from "./run-tool-loop.js";
import { checkRunEventOrder } from "./testing/check-run-event-order.js";
import { knownModelSpeed } from "./testing/fast-model-speed.js";
import { harness } from "./testing/run-harness.js";
import { calculatorValue, scriptedAnalytical, type StepRequest } from "./testing/scripted-analytical.js";

const LOAN = "Calculate the monthly payment on a 300,000 loan at 6% over 30 years";
const LOAN_CODE = "const r = 0.06 / 12; const n = 30 * 12; 300000 * r / (1 - (1 + r) ** -n)";
const PLAN = {
  steps: [
    { id: "s1", title: "Compute the payment", agent: "calculator", instruction: "Compute the monthly annuity payment.", dependsOn: [] },
    { id: "s2", title: "Explain the terms", agent: "analyst", instruction: "Explain what the figures mean.", dependsOn: [] },
  ],
};

type ToolStarted = Extract<AgentEvent, { type: "run.tool.started" }>;
type ToolCompleted = Extract<AgentEvent, { type: "run.tool.completed" }>;
const started = (events: AgentEvent[]) => events.filter((e): e is ToolStarted => e.type === "run.tool.started");
const completed = (events: AgentEvent[]) => events.filter((e): e is ToolCompleted => e.type === "run.tool.completed");

/** a calculator step that calls `call` in its first round and then reports what the tool said */
function calculatorStep(call: (r: StepRequest) => { name: string; arguments: string | Record<string, unknown> }) {
  return (r: StepRequest) => {
    if (r.title !== "Compute the payment") return "The payment is a fixed monthly annuity.";
    if (r.round === 0) return { text: "Let me compute that.", toolCalls: [call(r)] };
    const last = r.results.at(-1) ?? "";
    const value = calculatorValue(last);
    return value ? `The monthly payment is ${value}.` : `The tool failed: ${last}`;
  };
}

async function run(model: ScriptedChatModel, config: ConstructorParameters<typeof ManagerAgent>[0]["config"] = {}, userText = LOAN) {
  const agent = new ManagerAgent({ model, config: { speed: knownModelSpeed(), review: "off", ...config } });
  const h = harness({ userText });
  const r = await agent.run(h.input);
  return { r, h };
}

describe("ManagerAgent: a calculator step's tool loop", () => {
  it("runs the loan's payment in the sandbox through function calling, and the result reaches the answer", async () => {
    const requests: Array<{ messages: ChatMessage[]; options: GenerateOptions }> = [];
    const model = new ScriptedChatModel({
      reply: scriptedAnalytical({
        plan: PLAN,
        step: calculatorStep(() => ({ name: "run_javascript", arguments: { code: LOAN_CODE } })),
        onRequest: (messages, options) => requests.push({ messages, options }),
      }),
    });
    const { r, h } = await run(model);
    expect(checkRunEventOrder(h.events)).toEqual([]);
    expect(r.finishReason).toBe("stop");
    const plan = h.events.findLast((e) => e.type === "run.plan") as Extract<AgentEvent, { type: "run.plan" }>;
    expect(plan.steps.map((s) => s.agent)).toEqual(["calculator", "analyst"]);
    expect(r.steps!.map((s) => [s.id, s.agent, s.status])).toEqual([
      ["s1", "calculator", "complete"],
      ["s2", "analyst", "complete"],
    ]);
    // the sandbox's value, not the model's arithmetic, is in the step and in the answer
    const [start] = started(h.events);
    const [done] = completed(h.events);
    expect(start).toMatchObject({ stepId: "s1", agent: "calculator", tool: "run_javascript", arguments: JSON.stringify({ code: LOAN_CODE }) });
    expect(done).toMatchObject({ stepId: "s1", callId: start!.callId, ok: true, error: null });
    expect(done!.result).toContain("1798.65");
    expect(h.textBy().get("s1")).toBe("Let me compute that.\n\nThe monthly payment is 1798.65.");
    expect(r.text).toContain("1798.65");
    // the model was offered the tool, and read its result back as a tool message paired with its call
    const first = requests.find((q) => q.options.tools?.length)!;
    expect(first.options.tools!.map((t) => t.name)).toEqual(["run_javascript"]);
    const second = requests.find((q) => q.messages.some((m) => m.role === "tool"))!;
    const call = second.messages.find((m) => m.role === "assistant" && m.toolCalls)!;
    const tool = second.messages.find((m) => m.role === "tool")!;
    expect(call.role === "assistant" && call.toolCalls![0]!.id).toBe(start!.callId);
    expect(tool.role === "tool" && tool.toolCallId).toBe(start!.callId);
    // the analyst step is offered no tools
    const analyst = requests.filter((q) => q.messages.some((m) => m.role === "user" && m.content.includes("Explain the terms")));
    expect(analyst.every((q) => q.options.tools === undefined)).toBe(true);
  });

  it("gives a model without function calling the same tool through the JSON convention, hiding the call from the stream", async () => {
    const requests: Array<{ messages: ChatMessage[]; options: GenerateOptions }> = [];
    const model = new ScriptedChatModel({
      supportsTools: false,
      reply: scriptedAnalytical({
        plan: PLAN,
        onRequest: (messages, options) => requests.push({ messages, options }),
        step: (r) => {
          if (r.title !== "Compute the payment") return "Fixed monthly payments.";
          if (r.round === 0) return `Let me compute that.\n\`\`\`json\n${JSON.stringify({ tool: "run_javascript", arguments: { code: LOAN_CODE } })}\n\`\`\``;
          return `The monthly payment is ${calculatorValue(r.results.at(-1)!)}.`;
        },
      }),
    });
    const { r, h } = await run(model);
    expect(r.finishReason).toBe("stop");
    expect(requests.every((q) => q.options.tools === undefined)).toBe(true);
    const step = requests.find((q) => q.messages.some((m) => m.content.includes("Compute the payment")))!;
    expect(step.messages[0]!.content).toContain("You can use these tools");
    expect(step.messages[0]!.content).toContain("run_javascript");
    expect(completed(h.events)).toMatchObject([{ tool: "run_javascript", ok: true }]);
    const shown = h.textBy().get("s1")!;
    expect(shown).toBe("Let me compute that.\n\nThe monthly payment is 1798.65.");
    expect(shown).not.toContain("{");
    expect(r.text).toContain("1798.65");
  });

  it("falls back to the JSON convention when the server refuses tools", async () => {
    let refused = 0;
    const model = new ScriptedChatModel({
      reply: (messages, options, i) => {
        if (options.tools?.length) {
          refused++;
          return { error: new LlmError("provider_bad_request", "this model does not support tools", { toolsRefused: true }) };
        }
        return scriptedAnalytical({
          plan: PLAN,
          step: (r) =>
            r.title !== "Compute the payment"
              ? "Fixed payments."
              : r.round === 0
                ? JSON.stringify({ tool: "run_javascript", arguments: { code: LOAN_CODE } })
                : `Payment: ${calculatorValue(r.results.at(-1)!)}.`,
        })(messages, options, i);
      },
    });
    const { r, h } = await run(model);
    expect(refused).toBe(1);
    expect(r.steps![0]).toMatchObject({ agent: "calculator", status: "complete" });
    expect(h.textBy().get("s1")).toBe("Payment: 1798.65.");
    expect(r.text).toContain("1798.65");
  });
});

describe("ManagerAgent: bad tool input is a clear message in the step, and the run goes on", () => {
  const cases: Array<[string, { name: string; arguments: string | Record<string, unknown> }, string, RegExp]> = [
    ["a tool that does not exist", { name: "no_such_tool", arguments: {} }, "unknown_tool", /no tool named "no_such_tool".*run_javascript/],
    ["arguments that are not JSON", { name: "run_javascript", arguments: '{"code": "1 +' }, "invalid_json", /not valid JSON/],
    ["arguments that do not match", { name: "run_javascript", arguments: { expression: "1 + 1" } }, "invalid_arguments", /do not match its parameters/],
    ["a script that loops forever", { name: "run_javascript", arguments: { code: "while (true) {}" } }, "timeout", /ran too long/],
    [
      "a script that allocates without bound",
      { name: "run_javascript", arguments: { code: "const a = []; while (true) a.push(new Array(100000).fill(a.length));" } },
      "out_of_memory",
      /used more than/,
    ],
  ];
  for (const [what, call, code, message] of cases) {
    it(what, async () => {
      const seen: string[] = [];
      const model = new ScriptedChatModel({
        reply: scriptedAnalytical({
          plan: PLAN,
          step: (r) => {
            if (r.round > 0) seen.push(...r.results);
            return calculatorStep(() => call)(r);
          },
        }),
      });
      const { r, h } = await run(model);
      expect(checkRunEventOrder(h.events)).toEqual([]);
      const [done] = completed(h.events);
      expect(done).toMatchObject({ ok: false, result: null, error: { code } });
      expect(done!.error!.message).toMatch(message);
      // the model read the error as the tool's result, and the step and the run ended normally
      expect(seen.join("\n")).toContain(`Error (${code})`);
      expect(r.finishReason).toBe("stop");
      expect(r.steps!.map((s) => s.status)).toEqual(["complete", "complete"]);
      expect(r.steps![0]!.text).toContain("The tool failed");
      const stepDone = h.events.find((e) => e.type === "run.step.completed" && e.stepId === "s1") as Extract<AgentEvent, { type: "run.step.completed" }>;
      expect(stepDone.note).toMatch(/run_javascript gave no result .*; answered without it/);
    });
  }

  it("an unreadable call under the JSON convention is reported and answered with the error", async () => {
    const model = new ScriptedChatModel({
      supportsTools: false,
      reply: scriptedAnalytical({
        plan: PLAN,
        step: (r) => (r.round === 0 && r.title === "Compute the payment" ? '{"tool": "run_javascript", "arguments": "1+1"}' : `Read: ${r.results.join(" ")}`),
      }),
    });
    const { r, h } = await run(model);
    expect(completed(h.events)).toMatchObject([{ tool: "run_javascript", ok: false, error: { code: "invalid_call" } }]);
    expect(r.steps![0]!.text).toContain("Error (invalid_call)");
    expect(r.finishReason).toBe("stop");
  });
});

describe("ManagerAgent: the tool loop's bounds", () => {
  it("asks at most MAX_TOOL_ROUNDS times with tools, then once without, for the answer", async () => {
    const stepRequests: StepRequest[] = [];
    const model = new ScriptedChatModel({
      reply: scriptedAnalytical({
        plan: PLAN,
        step: (r) => {
          if (r.title !== "Compute the payment") return "ok";
          stepRequests.push(r);
          return r.options.tools ? { toolCalls: [{ name: "run_javascript", arguments: { code: `${r.round} + 1` } }] } : "Done after the tools.";
        },
      }),
    });
    const { r, h } = await run(model, { stepMaxOutputTokens: 400 });
    expect(stepRequests.map((q) => q.options.tools !== undefined)).toEqual([...Array(MAX_TOOL_ROUNDS).fill(true), false]);
    expect(stepRequests.at(-1)!.messages.at(-1)!.content).toBe(FINAL_ROUND_INSTRUCTION);
    expect(completed(h.events)).toHaveLength(MAX_TOOL_ROUNDS);
    expect(r.steps![0]).toMatchObject({ status: "complete", text: "Done after the tools." });
  });

  it("every round's output counts against the step's budget", async () => {
    const budget = 60;
    const caps: Array<{ max: number; usedBefore: number }> = [];
    let used = 0;
    const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(" ");
    const model = new ScriptedChatModel({
      reply: scriptedAnalytical({
        plan: PLAN,
        step: (r) => {
          if (r.title !== "Compute the payment") return "ok";
          caps.push({ max: r.options.maxOutputTokens, usedBefore: used });
          used += Math.min(20, r.options.maxOutputTokens);
          return { text: words(20), toolCalls: [{ name: "run_javascript", arguments: { code: "1 + 1" } }] };
        },
      }),
    });
    const { r } = await run(model, { stepMaxOutputTokens: budget });
    expect(caps.length).toBeGreaterThan(1);
    for (const c of caps) expect(c.max).toBeLessThanOrEqual(budget - c.usedBefore);
    expect(used).toBeLessThanOrEqual(budget);
    expect(r.steps![0]!.status).toMatch(/complete|truncated/);
  });
});
