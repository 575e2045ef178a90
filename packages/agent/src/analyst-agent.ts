import type { ChatMessage, ChatModel } from "@alma/llm";
import { generateWithRetry, type RetryPolicy } from "./generate-with-retry.js";
import { analyticalStepPrompt } from "./prompts/analytical-step-prompt.js";
import { countOnePerDelta, type TokenCounter } from "./token-counter.js";
import type { Agent, StepInput, WorkerContext, WorkerResult } from "./worker-agent.js";
import { withSystemPrompt } from "./with-system-prompt.js";

export interface AnalystAgentOptions {
  model: ChatModel;
  retry?: RetryPolicy;
  countTokens?: TokenCounter;
  temperature?: number;
}

/** The general-purpose worker: carries out one analytical step with the analytical-step template. */
export class AnalystAgent implements Agent {
  readonly name = "analyst";

  constructor(private readonly opts: AnalystAgentOptions) {}

  async run(input: StepInput, ctx: WorkerContext): Promise<WorkerResult> {
    const rendered = analyticalStepPrompt.render({
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
      { role: "user", content: rendered.instruction ?? input.step.instruction },
    ];
    const messages = build(input.context);
    const out = await generateWithRetry(this.opts.model, messages, {
      maxOutputTokens: ctx.budget,
      temperature: this.opts.temperature ?? analyticalStepPrompt.temperature,
      signal: ctx.signal,
      onDelta: ctx.emitToken,
      countTokens: this.opts.countTokens ?? countOnePerDelta,
      retry: this.opts.retry ?? { maxRetries: 2, baseMs: 500, maxMs: 8000 },
      onRetry: ctx.onRetry,
      onContextLength: ctx.shrinkContext
        ? async () => {
            const smaller = await ctx.shrinkContext!();
            return smaller ? build(smaller) : null;
          }
        : undefined,
    });
    if (out.finishReason === "error" && out.error) throw out.error;
    return {
      text: out.text,
      finishReason: out.finishReason === "error" ? "aborted" : out.finishReason,
      completionTokens: out.completionTokens,
      promptTokens: out.promptTokens,
      reported: out.reported,
    };
  }
}
