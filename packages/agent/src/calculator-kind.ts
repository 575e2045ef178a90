import type { ToolRegistry } from "@alma/tools";
import type { AgentKind } from "./agent-kind.js";
import { calculatorStepPrompt } from "./prompts/calculator-step-prompt.js";
import { RUN_JAVASCRIPT } from "./run-tools.js";
import { runToolLoop } from "./run-tool-loop.js";
import { stepRequest, stepPromptArgs } from "./step-request.js";
import type { Agent, StepInput, WorkerContext, WorkerResult } from "./worker-agent.js";

/** Computes a step's figures in the QuickJS sandbox (run_javascript) and reports them. */
export class CalculatorAgent implements Agent {
  readonly name = "calculator";

  constructor(private readonly tools: ToolRegistry) {}

  async run(input: StepInput, ctx: WorkerContext): Promise<WorkerResult> {
    const rendered = calculatorStepPrompt.render(stepPromptArgs(input, ctx));
    return runToolLoop(ctx, { build: stepRequest(input, rendered), tools: this.tools, temperature: calculatorStepPrompt.temperature });
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
