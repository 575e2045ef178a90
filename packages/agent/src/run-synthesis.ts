import type { ChatMessage, LlmError } from "@alma/llm";
import type { FinishReason } from "@alma/protocol";
import { fitStepResults } from "./fit-step-results.js";
import { MIN_ANSWER_TOKENS, MIN_SYNTHESIS_TOKENS, TIME_SAFETY } from "./plan-run-shape.js";
import { analyticalSynthesisPrompt } from "./prompts/analytical-synthesis-prompt.js";
import { documentsForRequest, documentsLabel, type RequestDocuments, withDocuments } from "./request-documents.js";
import type { Pace } from "./run-analytical.js";
import type { RunDocuments } from "./run-documents.js";
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
 * deadline allows at the model's pace, and the results are cut to what the window leaves beside it. `documents`
 * (given when no researcher step read them) come after the results, in what the window still leaves, the way a
 * one-pass answer carries them.
 */
export async function synthesize(
  scope: RunScope,
  args: {
    task: string;
    steps: StepOutcome[];
    pace: Pace;
    maxTokens: number;
    temperature: number;
    deadlineAt: number;
    documents?: RunDocuments | null;
  },
): Promise<SynthesisOutcome> {
  const { task, steps, pace, deadlineAt } = args;
  const byTime = Math.floor((((deadlineAt - Date.now()) * TIME_SAFETY - pace.ttftMs) / 1000) * pace.tokensPerSecond);
  let budget = Math.max(MIN_ANSWER_TOKENS, Math.min(args.maxTokens, byTime));
  const total = steps.length;

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
  let docs: RequestDocuments | null = null;
  if (args.documents?.size) {
    const results = await Promise.all(texts.map((t) => scope.measure.countText(t)));
    docs = await documentsForRequest(args.documents, {
      query: task,
      room: free - budget - results.reduce((a, b) => a + b, 0),
      window: scope.window(),
      measure: scope.measure,
    });
  }
  scope.progress("synthesizing", documentsLabel(`Writing the answer from ${total} step${total === 1 ? "" : "s"}`, docs));
  const request = buildWith(texts, budget);
  const out = await scope.generate((base) => withDocuments(request(base), docs?.text ?? null), {
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
