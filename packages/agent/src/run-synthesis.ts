import type { ChatMessage, LlmError } from "@alma/llm";
import type { FinishReason } from "@alma/protocol";
import { fitStepResults } from "./fit-step-results.js";
import { MIN_ANSWER_TOKENS, MIN_SYNTHESIS_TOKENS, TIME_SAFETY } from "./plan-run-shape.js";
import { analyticalSynthesisPrompt } from "./prompts/analytical-synthesis-prompt.js";
import type { Pace } from "./run-analytical.js";
import type { RunScope } from "./run-scope.js";
import type { StepOutcome } from "./run-step.js";
import { withSystemPrompt } from "./with-system-prompt.js";

export interface SynthesisOutcome {
  /** as streamed, including a deadline note */
  text: string;
  deltas: string[];
  completionTokens: number;
  finishReason: FinishReason;
  error: LlmError | null;
}

/**
 * The final answer from the steps' results, streamed as the manager's: its budget is what the time until the
 * deadline allows at the model's pace, and the results are cut to what the window leaves beside it.
 */
export async function synthesize(
  scope: RunScope,
  args: { task: string; steps: StepOutcome[]; pace: Pace; maxTokens: number; temperature: number; deadlineAt: number },
): Promise<SynthesisOutcome> {
  const { task, steps, pace, deadlineAt } = args;
  const byTime = Math.floor((((deadlineAt - Date.now()) * TIME_SAFETY - pace.ttftMs) / 1000) * pace.tokensPerSecond);
  let budget = Math.max(MIN_ANSWER_TOKENS, Math.min(args.maxTokens, byTime));
  const total = steps.length;
  scope.progress("synthesizing", `Writing the answer from ${total} step${total === 1 ? "" : "s"}`);

  const buildWith = (texts: string[], words: number) => {
    const rendered = analyticalSynthesisPrompt.render({
      task,
      steps: steps.map((s, i) => ({ title: s.record.title, status: s.record.status, note: s.note, text: texts[i]! })),
      budget: words,
    });
    return (base: ChatMessage[]): ChatMessage[] => [...withSystemPrompt(base, rendered.system, scope.system), { role: "user", content: rendered.instruction! }];
  };
  // the steps' results are cut to what the window leaves beside the context, the instructions and the answer
  const bare = await scope.measure.countRequest(
    buildWith(
      steps.map(() => ""),
      budget,
    )(scope.messages),
  );
  const free = scope.window() - scope.margin() - bare;
  const minPerStep = 30;
  if (free - budget < minPerStep * total) budget = Math.max(Math.min(budget, MIN_SYNTHESIS_TOKENS), free - minPerStep * total);
  const texts = await fitStepResults(
    steps.map((s) => s.record.text),
    Math.max(0, free - budget),
    scope.measure,
  );
  const out = await scope.generate(buildWith(texts, budget), {
    role: "synthesis",
    stepId: null,
    agent: "manager",
    budget,
    minTokens: Math.min(budget, MIN_ANSWER_TOKENS),
    temperature: args.temperature,
    onDelta: (t) => scope.token(t, "manager", null),
  });
  const { finishReason, text } = scope.endAnswer(out);
  return { text, deltas: out.deltas, completionTokens: out.completionTokens, finishReason, error: out.error };
}
