import { describe, expect, it } from "vitest";
import { progressOfPlan, splitReview } from "./review-step";
import type { ProgressView, StepView } from "./ui-message";

const step = (id: string, agent = "analyst"): StepView => ({
  id,
  title: id,
  agent,
  dependsOn: [],
  status: "complete",
  text: "",
  note: null,
  durationMs: null,
  tools: [],
});
const progress = (id: string, index: number, total: number, label: string): ProgressView => ({ phase: "step", label, step: { id, index, total } });

describe("the reviewer's step and the plan's count", () => {
  it("keeps the reviewer's step out of the plan, whatever its id", () => {
    const steps = [step("review"), step("s2", "calculator"), step("review_3", "reviewer")];
    const { plan, review } = splitReview(steps);
    expect(plan.map((s) => s.id)).toEqual(["review", "s2"]);
    expect(review.map((s) => s.id)).toEqual(["review_3"]);
  });

  it("counts against the final plan, not the planner's bound, and gives no count while it still plans or for the review", () => {
    const steps = [step("s1"), step("s2")];
    // the step started while the planner wrote: the server's total was its bound (4)
    expect(progressOfPlan(progress("s1", 0, 4, "Step 1: Gather"), steps, false)).toEqual({ label: "Step 1 of 2: Gather", counter: { index: 0, total: 2 } });
    expect(progressOfPlan(progress("s1", 0, 4, "Step 1 of 4: Gather"), steps, false).label).toBe("Step 1 of 2: Gather");
    expect(progressOfPlan(progress("s1", 0, 4, "Step 1 of 4: Gather"), steps, true)).toEqual({ label: "Step 1: Gather", counter: null });
    const reviewed = [...steps, step("review", "reviewer")];
    expect(progressOfPlan(progress("review", 2, 3, "Reviewing the answer against the steps' results"), reviewed, false)).toEqual({
      label: "Reviewing the answer against the steps' results",
      counter: null,
    });
  });
});
