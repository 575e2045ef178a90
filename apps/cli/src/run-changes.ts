import { isReviewStep, type RunState, type StepRecord } from "@alma/protocol";

/** What one event changed in a run, as the CLI prints it. */
export type RunChange =
  | { kind: "started"; taskType: string | null; provider: string | null; model: string | null; conversationId: string | null }
  | { kind: "progress"; label: string }
  /** steps the plan added, in plan order; `number` counts every step of the run from 1 */
  | { kind: "planned"; steps: { number: number; title: string }[] }
  /** `review`: the reviewer's pass after the answer (shown unnumbered, as "Review") */
  | { kind: "step.started"; number: number; title: string; review: boolean }
  | { kind: "step.ended"; number: number; status: StepRecord["status"]; note: string | null }
  /** a step's worker called a tool, or the call ended (result or error) */
  | { kind: "tool.started"; stepNumber: number; tool: string }
  | { kind: "tool.ended"; stepNumber: number; tool: string; ok: boolean; text: string; durationMs: number | null }
  /** the text of a token; `stepNumber` null for the answer (or an analytical run's synthesis) */
  | { kind: "text"; text: string; stepNumber: number | null; tokens: number };

const ENDED = new Set<StepRecord["status"]>(["complete", "truncated", "failed", "stopped"]);

/**
 * Compares two states of a run (`applyRunEvent`'s fold, before and after one event) and says what changed, in
 * the order the CLI prints it: the run starting, a progress label, new plan steps, a step starting or ending, text.
 */
export function runChanges(prev: RunState, next: RunState): RunChange[] {
  if (prev === next) return [];
  const changes: RunChange[] = [];
  const started = prev.startedAt === null && next.startedAt !== null;
  if (started) {
    changes.push({ kind: "started", taskType: next.taskType, provider: next.provider, model: next.model, conversationId: next.conversationId });
  } else if (next.progress !== null && next.progress !== prev.progress) {
    changes.push({ kind: "progress", label: next.progress.label });
  }

  const before = new Map(prev.steps.map((s) => [s.id, s]));
  const number = (id: string) => next.steps.findIndex((s) => s.id === id) + 1;
  // a step first seen as it starts (no plan listed it) is not a plan line
  const planned = next.steps.filter((s) => !before.has(s.id) && s.startedAt == null);
  if (planned.length > 0) changes.push({ kind: "planned", steps: planned.map((s) => ({ number: number(s.id), title: s.title })) });

  // the run's end settles a running step as stopped: that is the run's end, not the step's
  const runEnded = prev.finishReason === null && next.finishReason !== null;
  for (const step of next.steps) {
    const old = before.get(step.id);
    if (step.startedAt != null && step.startedAt !== old?.startedAt)
      changes.push({ kind: "step.started", number: number(step.id), title: step.title, review: isReviewStep(step) });
    if (step.tools !== old?.tools) changes.push(...toolChanges(old?.tools ?? [], step.tools ?? [], number(step.id)));
    if (!runEnded && ENDED.has(step.status) && step.status !== old?.status) {
      changes.push({ kind: "step.ended", number: number(step.id), status: step.status, note: step.note ?? null });
    }
  }

  if (next.tokens > prev.tokens) {
    const grown = next.steps.find((s) => s.text.length > (before.get(s.id)?.text.length ?? 0));
    if (grown)
      changes.push({ kind: "text", text: grown.text.slice(before.get(grown.id)?.text.length ?? 0), stepNumber: number(grown.id), tokens: next.tokens });
    else changes.push({ kind: "text", text: next.text.slice(prev.text.length), stepNumber: null, tokens: next.tokens });
  }
  return changes;
}

type ToolCalls = NonNullable<StepRecord["tools"]>;

/** calls that began, and calls that ended, since the step's previous state */
function toolChanges(before: ToolCalls, after: ToolCalls, stepNumber: number): RunChange[] {
  const was = new Map(before.map((t) => [t.id, t]));
  const changes: RunChange[] = [];
  for (const call of after) {
    const old = was.get(call.id);
    if (!old) changes.push({ kind: "tool.started", stepNumber, tool: call.tool });
    if (call.status !== "running" && old?.status !== call.status) {
      const text = call.status === "ok" ? (call.result ?? "") : (call.error?.message ?? "failed");
      changes.push({ kind: "tool.ended", stepNumber, tool: call.tool, ok: call.status === "ok", text, durationMs: call.durationMs });
    }
  }
  return changes;
}
