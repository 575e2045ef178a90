import type { StepRecord } from "@alma/protocol";
import type { CachedAnswer } from "./response-cache.js";
import type { AgentEvent } from "./run-scope.js";

/**
 * Streams a cached answer through the same events a live run emits (plan, steps, tokens in their original
 * chunks), synchronously, so the first token follows the lookup at once.
 */
export function replayCachedAnswer(emit: (e: AgentEvent) => void, answer: CachedAnswer): { text: string; steps: StepRecord[] | null } {
  emit({ type: "run.progress", phase: "cache_hit", label: "Answering from the cache: the same request was answered before" });
  if (answer.kind === "single") {
    for (const text of answer.deltas) emit({ type: "run.token", text, agent: "manager", stepId: null });
    return { text: answer.deltas.join(""), steps: null };
  }
  emit({ type: "run.plan", steps: answer.plan });
  const total = answer.plan.length;
  const records: StepRecord[] = answer.plan.map((step, index) => {
    const stored = answer.steps.find((s) => s.id === step.id);
    emit({ type: "run.progress", phase: "step", label: `Step ${index + 1} of ${total}: ${step.title}`, step: { id: step.id, index, total } });
    emit({ type: "run.step.started", stepId: step.id, title: step.title, agent: step.agent });
    for (const text of stored?.deltas ?? []) emit({ type: "run.token", text, agent: step.agent, stepId: step.id });
    emit({
      type: "run.step.completed",
      stepId: step.id,
      status: "complete",
      finishReason: "stop",
      note: null,
      completionTokens: stored?.completionTokens ?? 0,
      durationMs: 0,
    });
    return { ...step, text: (stored?.deltas ?? []).join(""), status: "complete" };
  });
  emit({ type: "run.progress", phase: "synthesizing", label: `Writing the answer from ${total} step${total === 1 ? "" : "s"}` });
  for (const text of answer.synthesis) emit({ type: "run.token", text, agent: "manager", stepId: null });
  return { text: answer.synthesis.join(""), steps: records };
}
