import { TIME_SAFETY } from "./plan-run-shape.js";
import { REVIEW_STEP_ID, REVIEW_STEP_TITLE } from "./reviewer-kind.js";
import type { Pace } from "./run-analytical.js";
import type { RunScope } from "./run-scope.js";
import { runStep, type StepOutcome } from "./run-step.js";
import type { Agent } from "./worker-agent.js";

/** auto: when the model's pace leaves time for it before the deadline; always; off */
export type ReviewMode = "auto" | "always" | "off";

/** the reviewer's budget: a few lines of findings */
export const REVIEW_TOKENS = 200;

/** Does a review of `tokens` fit the time left, at the model's pace (with the run's safety share)? */
export function reviewFits(pace: Pace, remainingMs: number, tokens = REVIEW_TOKENS): boolean {
  const needMs = pace.ttftMs + (tokens / Math.max(0.1, pace.tokensPerSecond)) * 1000;
  return remainingMs * TIME_SAFETY >= needMs;
}

/**
 * The reviewer's pass after the synthesis: one more step ("Review", agent "reviewer") that lists the draft's
 * claims no step supports. It is a step of the run like the others (run.step.started, its findings as the step's
 * text, run.step.completed with the count as note), so every viewer's fold shows it and the store keeps it.
 */
export async function runReview(
  scope: RunScope,
  reviewer: Agent,
  args: { steps: StepOutcome[]; draft: string; pace: Pace; mode: ReviewMode },
): Promise<StepOutcome | null> {
  const { steps, draft, mode } = args;
  if (mode === "off" || draft.trim() === "" || !steps.some((s) => s.record.status === "complete")) return null;
  if (scope.input.signal.aborted || scope.deadline.aborted) return null;
  if (mode === "auto" && !reviewFits(args.pace, scope.remainingMs())) return null;
  const ids = new Set(steps.map((s) => s.record.id));
  const id = ids.has(REVIEW_STEP_ID) ? `${REVIEW_STEP_ID}_${steps.length + 1}` : REVIEW_STEP_ID;
  const step = {
    id,
    title: REVIEW_STEP_TITLE,
    instruction: "Check the draft answer against the steps' results and list the claims no step supports.",
    dependsOn: steps.map((s) => s.record.id),
    agent: reviewer.name,
  };
  return runStep(scope, reviewer, step, {
    index: steps.length,
    total: () => steps.length + 1,
    final: () => true,
    stepsDeadline: scope.deadline,
    budget: () => REVIEW_TOKENS,
    resultOf: (dep) => steps.find((s) => s.record.id === dep),
    draft,
    label: "Reviewing the answer against the steps' results",
  });
}
