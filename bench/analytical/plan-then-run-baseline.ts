import {
  analyticalPlanPrompt,
  analyticalStepPrompt,
  analyticalSynthesisPrompt,
  parsePlan,
  runStepGraph,
  streamGeneration,
  withSystemPrompt,
  type AnalysisStep,
} from "@alma/agent";
import type { ChatMessage, ChatModel } from "@alma/llm";

/**
 * The analytical path as it was before runs were sized to the model (the baseline the pace benchmark compares
 * with): the whole plan first (400 tokens, 2 to 5 steps), then the steps with a fixed 500-token budget, two at a
 * time, cut a quarter of the deadline (at most 15 s) before it, then a 1,200-token synthesis cut at the deadline.
 */
export interface BaselineOutcome {
  firstTokenMs: number | null;
  totalMs: number;
  steps: number;
  stepsComplete: number;
  finishReason: string;
}

export async function planThenRun(model: ChatModel, task: string, deadlineMs: number): Promise<BaselineOutcome> {
  const t0 = performance.now();
  const deadline = AbortSignal.timeout(deadlineMs);
  const stepsDeadline = AbortSignal.timeout(deadlineMs - Math.min(15_000, deadlineMs / 4));
  let firstTokenMs: number | null = null;
  const seen = () => (firstTokenMs ??= performance.now() - t0);
  const base: ChatMessage[] = [{ role: "user", content: task }];
  const user = (system: string, instruction: string): ChatMessage[] => [...withSystemPrompt(base, system), { role: "user", content: instruction }];

  const plan = analyticalPlanPrompt.render({ task, minSteps: 2, maxSteps: 5 });
  const planned = await streamGeneration(model, user(plan.system, plan.instruction!), { maxOutputTokens: 400, json: true, signal: deadline });
  const parsed = parsePlan(planned.text, 2, 5);
  const steps: AnalysisStep[] = parsed.ok ? parsed.plan.steps : [{ id: "s1", title: "Answer the request", instruction: task, dependsOn: [] }];
  const results = await runStepGraph(steps, {
    concurrency: 2,
    canStart: () => !stepsDeadline.aborted,
    skip: () => ({ text: "", complete: false }),
    run: async (step, i) => {
      const r = analyticalStepPrompt.render({
        task,
        title: step.title,
        instruction: step.instruction,
        index: i + 1,
        total: steps.length,
        dependencies: [],
        budget: 500,
      });
      const out = await streamGeneration(model, user(r.system, r.instruction!), { maxOutputTokens: 500, signal: stepsDeadline, onDelta: seen });
      return { text: out.text, complete: out.finishReason === "stop" };
    },
  });
  const done = steps.map((s) => results.get(s.id)!);
  const synthesis = analyticalSynthesisPrompt.render({
    task,
    steps: steps.map((s, i) => ({ title: s.title, status: done[i]!.complete ? "complete" : "truncated", note: null, text: done[i]!.text })),
    budget: 1200,
  });
  const out = await streamGeneration(model, user(synthesis.system, synthesis.instruction!), { maxOutputTokens: 1200, signal: deadline, onDelta: seen });
  return {
    firstTokenMs,
    totalMs: performance.now() - t0,
    steps: steps.length,
    stepsComplete: done.filter((d) => d.complete).length,
    finishReason: out.finishReason === "aborted" ? "deadline" : out.finishReason,
  };
}
