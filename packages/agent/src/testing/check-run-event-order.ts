import type { AgentEvent } from "../run-scope.js";

/**
 * Checks the order rules a client relies on and returns the violations (empty when valid): run.started first,
 * classified before any work, a step only after a run.plan that lists it, a later run.plan only adding steps
 * (the plan grows while the planner writes), each step's tokens between its start and end, the answer's tokens
 * after every step ended, "done" last. The reviewer's pass is the one step that is never planned: it starts after
 * the answer.
 */
export function checkRunEventOrder(events: AgentEvent[]): string[] {
  const problems: string[] = [];
  if (events[0]?.type !== "run.started") problems.push("run.started is not first");
  const classified = events.findIndex((e) => e.type === "run.classified");
  if (classified < 0) problems.push("no run.classified");
  const plan = events.findIndex((e) => e.type === "run.plan");
  const planned = new Set<string>();
  let finalPlan = false;
  const open = new Set<string>();
  const ended = new Set<string>();
  const reviews = new Set<string>();
  events.forEach((e, i) => {
    if (i > 0 && e.type === "run.started") problems.push(`run.started again at ${i}`);
    if (classified >= 0 && i < classified && !(e.type === "run.started" || (e.type === "run.progress" && e.phase === "classifying")))
      problems.push(`${e.type} at ${i} before run.classified`);
    if (e.type === "run.plan") {
      const ids = e.steps.map((s) => s.id);
      if (finalPlan) problems.push(`run.plan at ${i} after the final plan`);
      if ([...planned].some((id, k) => ids[k] !== id)) problems.push(`run.plan at ${i} does not keep the steps planned before, in order`);
      for (const id of ids) planned.add(id);
      if (e.final !== false) finalPlan = true;
    }
    if (e.type === "run.step.started" && e.agent === "reviewer") {
      if (!finalPlan || ended.size < planned.size) problems.push(`the review ${e.stepId} started before every planned step ended`);
      if (!events.slice(0, i).some((x) => x.type === "run.token" && x.stepId === null)) problems.push(`the review ${e.stepId} started before the answer`);
      open.add(e.stepId);
      reviews.add(e.stepId);
    } else if (e.type === "run.step.started") {
      if (plan < 0 || i < plan) problems.push(`step ${e.stepId} started before the plan`);
      if (!planned.has(e.stepId)) problems.push(`step ${e.stepId} is not in the plan`);
      if (open.has(e.stepId) || ended.has(e.stepId)) problems.push(`step ${e.stepId} started twice`);
      open.add(e.stepId);
    }
    if (e.type === "run.step.completed") {
      if (!open.delete(e.stepId)) problems.push(`step ${e.stepId} completed without starting`);
      ended.add(e.stepId);
    }
    if (e.type === "run.token") {
      if (e.stepId !== null && !open.has(e.stepId)) problems.push(`token for step ${e.stepId} outside its start/end at ${i}`);
      if (e.stepId === null && open.size > 0) problems.push(`answer token at ${i} while steps run`);
      if (e.stepId === null && plan >= 0 && (ended.size < planned.size || !finalPlan)) problems.push(`answer token at ${i} before every step ended`);
      if (e.stepId === null && reviews.size > 0) problems.push(`answer token at ${i} after the review began`);
    }
    if (e.type === "run.progress" && e.phase === "done" && i !== events.length - 1) problems.push(`done at ${i} is not last`);
  });
  if (open.size > 0) problems.push(`steps never completed: ${[...open].join(", ")}`);
  return problems;
}
