import { isReviewStep } from "@alma/protocol";
import type { ProgressView, StepView } from "./ui-message";

export { isReviewStep, REVIEW_STEP_ID, REVIEWER_AGENT } from "@alma/protocol";

/** A run's steps as shown: the plan's, numbered, above the answer; the review's below it. */
export function splitReview(steps: readonly StepView[]): { plan: StepView[]; review: StepView[] } {
  const plan: StepView[] = [];
  const review: StepView[] = [];
  for (const s of steps) (isReviewStep(s) ? review : plan).push(s);
  return { plan, review };
}

/**
 * What the progress line says about the step running: "Step 1 of 2: …" and (1/2), counted against the plan once it
 * is final (the server's count while the planner wrote was its upper bound); no count while the planner still writes,
 * nor for the review, which is no plan step.
 */
export function progressOfPlan(
  progress: ProgressView,
  steps: readonly StepView[] | null,
  planning: boolean,
): { label: string; counter: { index: number; total: number } | null } {
  const at = progress.step;
  if (!at) return { label: progress.label, counter: null };
  const step = steps?.find((s) => s.id === at.id);
  if (step && isReviewStep(step)) return { label: progress.label, counter: null };
  if (planning || !steps) return { label: progress.label.replace(/^Step (\d+) of \d+:/, "Step $1:"), counter: null };
  const plan = splitReview(steps).plan;
  const i = plan.findIndex((s) => s.id === at.id);
  const index = i >= 0 ? i : at.index;
  const total = Math.max(plan.length, index + 1);
  return { label: progress.label.replace(/^Step \d+(?: of \d+)?:/, `Step ${index + 1} of ${total}:`), counter: { index, total } };
}
