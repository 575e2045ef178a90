import { wordsFor } from "../plan-run-shape.js";
import { systemWithStyle, type PromptTemplate } from "./prompt-template.js";

export interface AnalyticalStepVars {
  task: string;
  title: string;
  instruction: string;
  /** 1-based position and the plan's length */
  index: number;
  total: number;
  /** results of the steps this one depends on */
  dependencies: Array<{ title: string; text: string }>;
  /** the step's output budget in tokens, so the worker can pace itself and end on its own */
  budget: number;
}

const system =
  "You are an analyst on alma's team. You carry out exactly one step of a larger plan; a manager combines every step's result into the final answer.";
const style = "Precise and compact: facts, figures and reasoning, no introduction, no conclusion for the whole task; answer in the user's language.";

export const STEP_MARKER = "Carry out step";

export const analyticalStepPrompt: PromptTemplate<AnalyticalStepVars> = {
  role: "analytical-step",
  version: 2,
  taskType: "analytical",
  system,
  style,
  temperature: 0.4,
  maxOutputTokens: 600,
  render: ({ task, title, instruction, index, total, dependencies, budget }) => ({
    system: systemWithStyle(system, style),
    instruction: [
      `The overall request: """${task}"""`,
      ...dependencies.map((d) => `Result of the earlier step "${d.title}":\n${d.text}`),
      `${STEP_MARKER} ${index} of ${total}: ${title}.`,
      instruction,
      `Answer in at most ${wordsFor(budget)} words.`,
    ].join("\n\n"),
  }),
};
