import type { ChatMessage } from "@alma/llm";
import { analyticalStepPrompt } from "./prompts/analytical-step-prompt.js";
import type { Agent, StepInput, WorkerContext, WorkerResult } from "./worker-agent.js";
import { stepPromptArgs, stepRequest } from "./step-request.js";

export interface AnalystAgentOptions {
  temperature?: number;
}

/** The general-purpose worker: carries out one analytical step with the analytical-step template. */
export class AnalystAgent implements Agent {
  readonly name = "analyst";

  constructor(private readonly opts: AnalystAgentOptions = {}) {}

  async run(input: StepInput, ctx: WorkerContext): Promise<WorkerResult> {
    const rendered = analyticalStepPrompt.render(stepPromptArgs(input, ctx));
    return writeStep(ctx, stepRequest(input, rendered), this.opts.temperature ?? analyticalStepPrompt.temperature);
  }
}

/** A step written in one request, streamed as it comes (no tools); a provider failure is thrown. */
export async function writeStep(ctx: WorkerContext, build: (context: ChatMessage[]) => ChatMessage[], temperature: number): Promise<WorkerResult> {
  const out = await ctx.generate(build, { temperature, onDelta: ctx.emitToken });
  if (out.finishReason === "error" && out.error) throw out.error;
  return {
    text: out.text,
    finishReason: out.finishReason === "error" ? "aborted" : out.finishReason === "tool_calls" ? "stop" : out.finishReason,
    completionTokens: out.completionTokens,
    promptTokens: out.promptTokens,
    reported: out.reported,
  };
}
