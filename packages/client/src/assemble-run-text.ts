import type { RunEvent } from "@alma/protocol";

export interface AssembledStep {
  stepId: string;
  title: string | null;
  agent: string | null;
  text: string;
  status: "planned" | "running" | "complete" | "truncated" | "failed" | "stopped";
}

export interface AssembledRun {
  /** the answer, or for an analytical run the synthesis: tokens without a stepId */
  answer: string;
  /** each plan step's text, in plan order (steps first seen in tokens come after) */
  steps: AssembledStep[];
  tokenCount: number;
  /** seq gaps or repeats, in words; empty when the token stream is gap-free from 0 */
  problems: string[];
}

/** Rebuilds the answer and every step's text from a run's events, checking that token seq is gap-free. */
export function assembleRunText(events: Iterable<RunEvent>): AssembledRun {
  const steps = new Map<string, AssembledStep>();
  const problems: string[] = [];
  let answer = "";
  let expectedSeq = 0;
  let tokenCount = 0;

  const stepFor = (stepId: string): AssembledStep => {
    let step = steps.get(stepId);
    if (!step) {
      step = { stepId, title: null, agent: null, text: "", status: "running" };
      steps.set(stepId, step);
    }
    return step;
  };

  for (const event of events) {
    switch (event.type) {
      case "run.plan":
        for (const planned of event.steps) {
          const step = stepFor(planned.id);
          step.title = planned.title;
          step.agent = planned.agent;
          if (step.text === "") step.status = "planned";
        }
        break;
      case "run.step.started": {
        const step = stepFor(event.stepId);
        step.title = event.title;
        step.agent = event.agent;
        step.status = "running";
        break;
      }
      case "run.step.completed":
        stepFor(event.stepId).status = event.status;
        break;
      case "run.token":
        if (event.seq !== expectedSeq) {
          problems.push(
            event.seq < expectedSeq
              ? `token seq ${event.seq} repeated (expected ${expectedSeq})`
              : `token seq jumped from ${expectedSeq - 1} to ${event.seq}: ${event.seq - expectedSeq} token(s) missing`,
          );
        }
        expectedSeq = Math.max(expectedSeq, event.seq + 1);
        tokenCount += 1;
        if (event.stepId === null) answer += event.text;
        else stepFor(event.stepId).text += event.text;
        break;
      default:
        break;
    }
  }
  return { answer, steps: [...steps.values()], tokenCount, problems };
}
