/**
 * The reviewer's pass after the synthesis: a step of the run, but not of the plan. It checks the answer, so every
 * view (web, CLI, export) shows it after the answer, unnumbered, as "Review".
 */
export const REVIEW_STEP_ID = "review";
export const REVIEW_STEP_TITLE = "Review";
export const REVIEWER_AGENT = "reviewer";

/** the reviewer's step (its id is `review`, or `review_N` when a plan step took that id; the agent is what tells) */
export function isReviewStep(step: { agent: string }): boolean {
  return step.agent === REVIEWER_AGENT;
}
