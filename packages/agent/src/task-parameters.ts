import type { TaskType } from "@alma/protocol";
import type { RunShape, RunShapeInput } from "./plan-run-shape.js";
import { analyticalDirectPrompt } from "./prompts/analytical-direct-prompt.js";
import { analyticalPlanPrompt } from "./prompts/analytical-plan-prompt.js";
import { analyticalStepPrompt } from "./prompts/analytical-step-prompt.js";
import { analyticalSynthesisPrompt } from "./prompts/analytical-synthesis-prompt.js";
import { conversationalPrompt } from "./prompts/conversational-prompt.js";
import { creativePrompt } from "./prompts/creative-prompt.js";
import { templateVersionTag } from "./prompts/prompt-template.js";

/** What a task type's templates give its run: the system prompt its context is built with, its temperature, its cache version. */
export interface TaskParameters {
  system: string;
  temperature: number;
  templateVersion: string;
}

/** what each role gets with time and room to spare */
export type DesiredTokens = RunShapeInput["desired"];

export function taskParameters(
  taskType: TaskType,
  shape: RunShape,
  opts: { temperature: number | undefined; today: string; workerName: string },
): TaskParameters {
  if (taskType === "analytical") {
    return {
      // a planned run's context is built once, with the planner's system prompt; each role swaps in its own
      system:
        shape.mode === "plan"
          ? analyticalPlanPrompt.render({ task: "", minSteps: 1, maxSteps: 1 }).system
          : analyticalDirectPrompt.render({ today: opts.today, budget: shape.maxTokens }).system,
      temperature: opts.temperature ?? analyticalSynthesisPrompt.temperature,
      templateVersion: [analyticalPlanPrompt, analyticalStepPrompt, analyticalSynthesisPrompt, analyticalDirectPrompt]
        .map(templateVersionTag)
        .concat(`${shape.mode} worker ${opts.workerName}`)
        .join(" "),
    };
  }
  const template = taskType === "creative" ? creativePrompt : conversationalPrompt;
  return {
    system: template.render({ today: opts.today }).system,
    temperature: opts.temperature ?? template.temperature,
    templateVersion: templateVersionTag(template),
  };
}

/** The user's cap, else the templates': a step never more than `stepMaxOutputTokens`. */
export function desiredTokens(taskType: TaskType, cap: number | undefined, stepMaxOutputTokens: number): DesiredTokens {
  const template = taskType === "creative" ? creativePrompt : taskType === "conversational" ? conversationalPrompt : analyticalDirectPrompt;
  return {
    step: Math.min(cap ?? Infinity, stepMaxOutputTokens),
    synthesis: cap ?? analyticalSynthesisPrompt.maxOutputTokens,
    single: cap ?? template.maxOutputTokens,
  };
}
