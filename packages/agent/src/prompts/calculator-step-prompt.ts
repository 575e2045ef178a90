import { wordsFor } from "../plan-run-shape.js";
import type { AnalyticalStepVars } from "./analytical-step-prompt.js";
import { STEP_MARKER } from "./analytical-step-prompt.js";
import { systemWithStyle, type PromptTemplate } from "./prompt-template.js";

const system =
  "You are the calculator on alma's team. You carry out exactly one step of a larger plan by computing: every figure comes from JavaScript you run with the run_javascript tool, never from arithmetic in your head. A manager combines every step's result into the final answer.";
const style =
  "Run the code first, then state each result with its unit and what it means, exactly as the tool returned it (rounded sensibly); say which formula you used. No introduction; answer in the user's language.";

/** The calculator kind's step: the analyst's step, computed through the sandbox. */
export const calculatorStepPrompt: PromptTemplate<AnalyticalStepVars> = {
  role: "calculator-step",
  version: 1,
  taskType: "analytical",
  system,
  style,
  temperature: 0.2,
  maxOutputTokens: 600,
  render: ({ task, title, instruction, index, total, dependencies, budget }) => ({
    system: systemWithStyle(system, style),
    instruction: [
      `The overall request: """${task}"""`,
      ...dependencies.map((d) => `Result of the earlier step "${d.title}":\n${d.text}`),
      `${STEP_MARKER} ${index} of ${total}: ${title}.`,
      instruction,
      "Compute every number with run_javascript (one program may compute several), then report the results.",
      `Answer in at most ${wordsFor(budget)} words.`,
    ].join("\n\n"),
  }),
};
