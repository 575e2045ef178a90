import { defineTool, ToolRegistry } from "@alma/tools";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { AgentKind } from "./agent-kind.js";
import { AgentRegistry, defaultAgentRegistry } from "./agent-registry.js";
import { parsePlan } from "./analysis-plan.js";
import { PlanStreamParser } from "./plan-stream-parser.js";
import { analyticalPlanPrompt } from "./prompts/analytical-plan-prompt.js";
import { RunDocuments } from "./run-documents.js";
import { assignStepKind, needsComputing, refersToDocuments } from "./step-kind-rules.js";

const docs = new RunDocuments([
  { id: "d1", name: "report.pdf", kind: "pdf", text: "Revenue grew 12%.", pages: [{ number: 1, start: 0, end: 17 }], messageId: null },
]);

describe("the agent registry", () => {
  it("offers analyst and calculator always, the researcher only with documents, never the reviewer as a step", () => {
    const registry = defaultAgentRegistry();
    expect(registry.plannable({ documents: null, window: 8192 }).map((k) => k.name)).toEqual(["analyst", "calculator"]);
    expect(registry.plannable({ documents: docs, window: 8192 }).map((k) => k.name)).toEqual(["analyst", "calculator", "researcher"]);
    expect(registry.get("reviewer")?.plannable).toBe(false);
    for (const k of registry.all()) expect(k.description.length).toBeGreaterThan(20);
  });

  it("resolves unknown, unavailable and non-step kinds to the analyst", () => {
    const registry = defaultAgentRegistry();
    const none = { documents: null, window: 8192 };
    expect(registry.resolve("Calculator ", none).name).toBe("calculator");
    expect(registry.resolve("wizard", none).name).toBe("analyst");
    expect(registry.resolve("researcher", none).name).toBe("analyst");
    expect(registry.resolve("reviewer", none).name).toBe("analyst");
    expect(registry.resolve(undefined, none).name).toBe("analyst");
  });

  it("gives each kind its own tools: run_javascript to the calculator, search_documents to the researcher", async () => {
    const seen: Record<string, string[]> = {};
    const spy = (name: string, tools: string[]): AgentKind => ({
      name,
      description: `the ${name}, spying on its tools`,
      prompt: { role: "analytical-step", version: 1 },
      tools,
      plannable: true,
      available: () => true,
      create: (_ctx, registry: ToolRegistry) => {
        seen[name] = registry.names();
        return { name, run: async () => ({ text: "", finishReason: "stop", completionTokens: 0 }) };
      },
    });
    const registry = new AgentRegistry([defaultAgentRegistry().get("analyst")!, spy("calc", ["run_javascript"]), spy("search", ["search_documents"])]);
    const run = registry.forRun({ documents: docs, window: 8192 });
    run.worker("calc");
    run.worker("search");
    expect(seen).toEqual({ calc: ["run_javascript"], search: ["search_documents"] });
    // one worker per kind and run
    expect(run.worker("calc")).toBe(run.worker("calc"));
  });

  it("refuses a second kind of the same name", () => {
    const registry = defaultAgentRegistry();
    expect(() => registry.register(registry.get("analyst")!)).toThrow(/already registered/);
  });

  it("a custom tool is a ToolDefinition the registry can select", async () => {
    const tool = defineTool({ name: "echo", description: "echoes", parameters: z.object({ s: z.string() }), run: ({ s }) => s });
    const r = await new ToolRegistry([tool]).callTool("echo", '{"s":"hi"}', { signal: new AbortController().signal });
    expect(r.ok && r.value).toBe("hi");
  });
});

describe("the planner's kinds", () => {
  it("the plan prompt lists the kinds and the documents, and asks for an agent per step", () => {
    const r = analyticalPlanPrompt.render({
      task: "t",
      minSteps: 2,
      maxSteps: 3,
      kinds: defaultAgentRegistry().plannable({ documents: docs, window: 8192 }),
      documents: docs.summaries(),
    });
    expect(r.instruction).toContain("- calculator: computes exact figures");
    expect(r.instruction).toContain("- researcher:");
    expect(r.instruction).toContain("report.pdf (1 page, about 5 tokens)");
    expect(r.instruction).toContain('"agent":"analyst"');
  });

  it("reads each step's agent, in any case, and leaves a plan without one as it was", () => {
    const plan = parsePlan(
      JSON.stringify({
        steps: [
          { title: "A", instruction: "a", agent: "Calculator" },
          { title: "B", instruction: "b", agent: 42 },
          { title: "C", instruction: "c" },
        ],
      }),
      2,
      5,
    );
    expect(plan.ok && plan.plan.steps.map((s) => s.agent)).toEqual(["calculator", undefined, undefined]);
  });

  it("the streamed parser passes the agent through", () => {
    const parser = new PlanStreamParser(3);
    const text = JSON.stringify({
      steps: [
        { id: "s1", title: "A", agent: "researcher", instruction: "a" },
        { id: "s2", title: "B", instruction: "b" },
      ],
    });
    const steps = [...parser.push(text.slice(0, 60)), ...parser.push(text.slice(60)), ...parser.end()];
    expect(steps.map((s) => [s.id, s.agent])).toEqual([
      ["s1", "researcher"],
      ["s2", undefined],
    ]);
  });

  it("helps a small planner: computing steps get the calculator, document steps and a question about them the researcher", () => {
    const step = (title: string, instruction: string, agent?: string) => ({ id: "s", title, instruction, dependsOn: [], ...(agent ? { agent } : {}) });
    const ctx = { task: "Plan the trip", available: new Set(["analyst", "calculator", "researcher"]), assigned: [], documentNames: ["budget.csv"] };
    expect(assignStepKind(step("Compute the payment", "Work out the monthly payment.", "analyst"), ctx)).toBe("calculator");
    expect(assignStepKind(step("Summarise", "Quote what the attached report says."), ctx)).toBe("researcher");
    expect(assignStepKind(step("Options", "List the options.", "calculator"), ctx)).toBe("calculator");
    expect(assignStepKind(step("Options", "List the options."), ctx)).toBeUndefined();
    expect(assignStepKind(step("Options", "List the options."), { ...ctx, task: "What does budget.csv say about food?" })).toBe("researcher");
    // the first step only, and only when the run has documents
    expect(assignStepKind(step("Options", "List the options."), { ...ctx, task: "What does budget.csv say?", assigned: ["researcher"] })).toBeUndefined();
    expect(assignStepKind(step("Summarise", "Quote the report."), { ...ctx, available: new Set(["analyst", "calculator"]) })).toBeUndefined();
    expect(needsComputing("What is 15% of 80?")).toBe(true);
    expect(needsComputing("Write a poem about rain")).toBe(false);
    expect(refersToDocuments("summarise my budget file", [])).toBe(true);
    expect(refersToDocuments("what is in budget?", ["budget.csv"])).toBe(true);
    expect(refersToDocuments("tell me a joke", ["budget.csv"])).toBe(false);
  });
});
