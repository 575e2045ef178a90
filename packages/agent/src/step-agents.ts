import type { Agent } from "./worker-agent.js";

/** What an analytical run needs of its workers: the kinds the planner may name, and the worker for each step. */
export interface StepAgents {
  /** the kinds the planner is shown (none: the plan names none) */
  plannable(): ReadonlyArray<{ name: string; description: string }>;
  /** the kind a step runs as, from the one it names (unknown or unavailable: the analyst) */
  resolve(name: string | undefined): string;
  worker(name: string | undefined): Agent;
  /** a pass after the synthesis (the reviewer); null when the run has none */
  pass(name: string): Agent | null;
}

/** One worker for every step, no kinds and no review (ManagerAgentConfig.worker: tests and custom setups). */
export function singleWorkerAgents(worker: Agent): StepAgents {
  return { plannable: () => [], resolve: () => worker.name, worker: () => worker, pass: () => null };
}
