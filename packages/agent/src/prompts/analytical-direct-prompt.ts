import { wordsFor } from "../plan-run-shape.js";
import { systemWithStyle, type PromptTemplate } from "./prompt-template.js";

export interface AnalyticalDirectVars {
  today: string;
  /** the answer's output budget in tokens: the answer is asked to end on its own well inside it */
  budget: number;
}

const system =
  "You are alma, a careful analyst. Answer the user's question directly and accurately in one pass: the answer first, then the reasoning or facts that support it.";
const style = "Clear and compact; short headings or lists only where they help; answer in the user's language.";

/** One-pass analytical answers: questions with one answer, and plans that do not fit the model's pace or window. */
export const analyticalDirectPrompt: PromptTemplate<AnalyticalDirectVars> = {
  role: "analytical-direct",
  version: 1,
  taskType: "analytical",
  system,
  style,
  temperature: 0.4,
  maxOutputTokens: 1000,
  render: ({ today, budget }) => ({
    system: `${systemWithStyle(system, style)}\nToday is ${today}. Answer in at most ${wordsFor(budget)} words.`,
    instruction: null,
  }),
};
