import type { ProgressView, StepView } from "./ui-message";

/**
 * The reviewer's pass after the synthesis (@alma/agent's REVIEW_STEP_ID / the ReviewerAgent's name; the page does not
 * import the agent): a step of the run, but not of the plan. It checks the answer, so it is shown after it, unnumbered.
 */
export const REVIEW_STEP_ID = "review";
export const REVIEWER_AGENT = "reviewer";

/** the reviewer's step (its id is `review`, or `review_N` when a plan step took that id; the agent is what tells) */
export function isReviewStep(step: Pick<StepView, "agent">): boolean {
  return step.agent === REVIEWER_AGENT;
}

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
