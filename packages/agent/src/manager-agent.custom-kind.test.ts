import { ScriptedChatModel } from "@alma/llm";
import { defineTool, ToolError } from "@alma/tools";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { AgentKind } from "./agent-kind.js";
import { AgentRegistry } from "./agent-registry.js";
import { analystKind } from "./analyst-kind.js";
import { ManagerAgent } from "./manager-agent.js";
import { analyticalStepPrompt } from "./prompts/analytical-step-prompt.js";
import type { AgentEvent } from "./run-scope.js";
import { runToolLoop } from "./run-tool-loop.js";
import { knownModelSpeed } from "./testing/fast-model-speed.js";
import { harness } from "./testing/run-harness.js";
import { scriptedAnalytical } from "./testing/scripted-analytical.js";
import { withSystemPrompt } from "./with-system-prompt.js";

/** a tool that waits until the run stops it, as a slow fetch or a long query would */
const waitTool = defineTool({
  name: "wait_for_data",
  description: "waits for the data feed",
  parameters: z.object({ feed: z.string() }),
  run: (_args, { signal }) =>
    new Promise<ToolError>((resolve) =>
      signal.addEventListener("abort", () => resolve(new ToolError("aborted", "the feed was not read: the run was stopped")), { once: true }),
    ),
});

/** a kind added the way docs/agents.md shows: a name, a description, a template, its tools, a worker on the tool loop */
const watcherKind: AgentKind = {
  name: "watcher",
  description: "reads live data feeds",
  prompt: analyticalStepPrompt,
  tools: ["wait_for_data"],
  ownTools: () => [waitTool],
  plannable: true,
  available: () => true,
  create: (_ctx, tools) => ({
    name: "watcher",
    run: (input, ctx) => {
      const rendered = analyticalStepPrompt.render({
        ...input.step,
        task: input.task,
        index: input.index,
        total: input.total,
        dependencies: input.dependencies,
        budget: ctx.budget,
      });
      return runToolLoop(ctx, {
        build: (context) => [...withSystemPrompt(context, rendered.system, input.contextSystem), { role: "user", content: rendered.instruction! }],
        tools,
        temperature: 0.2,
      });
    },
  }),
};

describe("ManagerAgent: a custom kind, and Stop during its tool", () => {
  it("the planner can name it, and Stop aborts the running tool: the step and the run end stopped", async () => {
    const model = new ScriptedChatModel({
      reply: scriptedAnalytical({
        plan: {
          steps: [
            { id: "s1", title: "Read the feed", agent: "watcher", instruction: "Read the price feed.", dependsOn: [] },
            { id: "s2", title: "Explain", instruction: "Explain prices.", dependsOn: [] },
          ],
        },
        step: (r) =>
          r.title === "Read the feed" && r.round === 0 ? { toolCalls: [{ name: "wait_for_data", arguments: { feed: "prices" } }] } : "Prices explained.",
      }),
    });
    const agent = new ManagerAgent({
      model,
      config: { speed: knownModelSpeed(), maxConcurrentSteps: 1, agents: new AgentRegistry([analystKind, watcherKind]) },
    });
    const stop = new AbortController();
    const h = harness({
      userText: "Compare today's prices with last week's and explain the change",
      signal: stop.signal,
      onEvent: (e) => {
        // Stop while the tool is running (it started waiting on the feed)
        if (e.type === "run.tool.started") setTimeout(() => stop.abort(), 20);
      },
    });
    const r = await agent.run(h.input);
    const done = h.events.find((e) => e.type === "run.tool.completed") as Extract<AgentEvent, { type: "run.tool.completed" }>;
    expect(done).toMatchObject({ stepId: "s1", agent: "watcher", tool: "wait_for_data", ok: false, error: { code: "aborted" } });
    expect(r.finishReason).toBe("stopped");
    expect(done.error!.message).toBe("the feed was not read: the run was stopped");
    expect(r.steps![0]).toMatchObject({ agent: "watcher", status: "stopped" });
  });
});
