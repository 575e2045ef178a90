import type { ChatMessage } from "@alma/llm";
import type { StepInput, WorkerContext } from "./worker-agent.js";
import { withSystemPrompt } from "./with-system-prompt.js";

/** What every step template is rendered from: the task, the step, its place in the plan, its inputs and budget. */
export function stepPromptArgs(input: StepInput, ctx: Pick<WorkerContext, "budget">) {
  return {
    task: input.task,
    title: input.step.title,
    instruction: input.step.instruction,
    index: input.index,
    total: input.total,
    dependencies: input.dependencies,
    budget: ctx.budget,
  };
}

/** A step's request over the run's context: the kind's system prompt in front (memory's additions kept), its instruction last. */
export function stepRequest(input: StepInput, rendered: { system: string; instruction: string | null }): (context: ChatMessage[]) => ChatMessage[] {
  return (context) => [
    ...withSystemPrompt(context, rendered.system, input.contextSystem),
    { role: "user", content: rendered.instruction ?? input.step.instruction },
  ];
}
