import { wordsFor } from "../plan-run-shape.js";
import { systemWithStyle, type PromptTemplate } from "./prompt-template.js";

export interface SynthesisStepResult {
  title: string;
  /** "complete" | "truncated" | "failed" | "stopped" */
  status: string;
  /** why the step ended early, when it did */
  note: string | null;
  text: string;
}

export interface AnalyticalSynthesisVars {
  task: string;
  steps: SynthesisStepResult[];
  /** the answer's output budget in tokens: the answer is asked to end on its own well inside it */
  budget: number;
}

const system = "You are alma's manager. Your analysts have worked on the steps of a plan; write the final answer to the user's request from their results.";
const style = "Well structured with short headings or lists where they help; lead with the answer or recommendation; answer in the user's language.";

export const SYNTHESIS_MARKER = "Write the final answer";

export const analyticalSynthesisPrompt: PromptTemplate<AnalyticalSynthesisVars> = {
  role: "analytical-synthesis",
  version: 2,
  taskType: "analytical",
  system,
  style,
  temperature: 0.4,
  maxOutputTokens: 1200,
  render: ({ task, steps, budget }) => {
    const incomplete = steps.filter((s) => s.status !== "complete");
    const results = steps.map((s, i) => {
      const head = `## Step ${i + 1}: ${s.title} (${s.status}${s.note ? `: ${s.note}` : ""})`;
      return `${head}\n${s.text.trim() || "(no result)"}`;
    });
    const caveat =
      incomplete.length > 0
        ? `Some steps did not finish: ${incomplete.map((s) => `"${s.title}" (${s.note ?? s.status})`).join("; ")}. Say plainly in the answer which parts are incomplete or missing and why, and give the best partial answer from what is there.`
        : null;
    return {
      system: systemWithStyle(system, style),
      instruction: [
        `The request: """${task}"""`,
        "The analysts' results:",
        ...results,
        caveat,
        `${SYNTHESIS_MARKER} now, in at most ${wordsFor(budget)} words.`,
      ]
        .filter((x): x is string => x !== null)
        .join("\n\n"),
    };
  },
};
