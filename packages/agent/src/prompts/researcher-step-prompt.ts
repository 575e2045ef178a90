import { wordsFor } from "../plan-run-shape.js";
import type { AnalyticalStepVars } from "./analytical-step-prompt.js";
import { STEP_MARKER } from "./analytical-step-prompt.js";
import { systemWithStyle, type PromptTemplate } from "./prompt-template.js";

export interface ResearcherStepVars extends AnalyticalStepVars {
  /** the attached documents as the researcher is told of them */
  documents: ReadonlyArray<{ name: string; size: string }>;
  /** documents small enough to read whole, inlined; empty: search them */
  inlined: ReadonlyArray<{ name: string; text: string }>;
}

const system =
  "You are the researcher on alma's team. You carry out exactly one step of a larger plan from the documents the user attached: you find what they say, quote the passages you use word for word, and cite each as (document, page N) or (document, line N). A manager combines every step's result into the final answer.";
const style =
  "Facts from the documents only, each with its quote and citation; say plainly when the documents do not contain it. No introduction; answer in the user's language.";

/** The researcher kind's step: its documents inlined when they fit, else searched with search_documents. */
export const researcherStepPrompt: PromptTemplate<ResearcherStepVars> = {
  role: "researcher-step",
  version: 1,
  taskType: "analytical",
  system,
  style,
  temperature: 0.2,
  maxOutputTokens: 600,
  render: ({ task, title, instruction, index, total, dependencies, budget, documents, inlined }) => ({
    system: systemWithStyle(system, style),
    instruction: [
      `The overall request: """${task}"""`,
      `The attached documents: ${documents.map((d) => `${d.name} (${d.size})`).join(", ")}.`,
      ...inlined.map((d) => `The document ${d.name}, whole:\n"""\n${d.text}\n"""`),
      ...dependencies.map((d) => `Result of the earlier step "${d.title}":\n${d.text}`),
      `${STEP_MARKER} ${index} of ${total}: ${title}.`,
      instruction,
      inlined.length > 0
        ? "Quote the passages you use and cite each as (document, page N) or (document, line N), from the page marks and line numbers shown."
        : "Search the documents with search_documents (names, numbers and rare words find passages best; search again with other words if nothing fits), then quote the passages you use with the citation each result shows.",
      `Answer in at most ${wordsFor(budget)} words.`,
    ].join("\n\n"),
  }),
};
