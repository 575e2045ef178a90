import type { ChatMessage } from "@alma/llm";
import type { ToolRegistry } from "@alma/tools";
import type { AgentKind } from "./agent-kind.js";
import { calculatorStepPrompt } from "./prompts/calculator-step-prompt.js";
import { RUN_JAVASCRIPT } from "./run-tools.js";
import { runToolLoop } from "./run-tool-loop.js";
import { withSystemPrompt } from "./with-system-prompt.js";
import type { Agent, StepInput, WorkerContext, WorkerResult } from "./worker-agent.js";

/** Computes a step's figures in the QuickJS sandbox (run_javascript) and reports them. */
export class CalculatorAgent implements Agent {
  readonly name = "calculator";

  constructor(private readonly tools: ToolRegistry) {}

  async run(input: StepInput, ctx: WorkerContext): Promise<WorkerResult> {
    const rendered = calculatorStepPrompt.render({
      task: input.task,
      title: input.step.title,
      instruction: input.step.instruction,
      index: input.index,
      total: input.total,
      dependencies: input.dependencies,
      budget: ctx.budget,
    });
    const build = (context: ChatMessage[]): ChatMessage[] => [
      ...withSystemPrompt(context, rendered.system, input.contextSystem),
      { role: "user", content: rendered.instruction! },
    ];
    return runToolLoop(ctx, { build, tools: this.tools, temperature: calculatorStepPrompt.temperature });
  }
}

export const calculatorKind: AgentKind = {
  name: "calculator",
  description:
    "computes exact figures by running JavaScript in a sandbox: arithmetic, loans and interest, percentages, statistics, unit conversions, crunching numbers from the request",
  prompt: calculatorStepPrompt,
  tools: [RUN_JAVASCRIPT],
  plannable: true,
  available: () => true,
  create: (_ctx, tools) => new CalculatorAgent(tools),
};
