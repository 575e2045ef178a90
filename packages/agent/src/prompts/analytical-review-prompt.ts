import { systemWithStyle, type PromptTemplate } from "./prompt-template.js";

export interface AnalyticalReviewVars {
  task: string;
  /** the draft answer (the synthesis) under review */
  draft: string;
  steps: ReadonlyArray<{ title: string; text: string }>;
}

const system =
  "You are the reviewer on alma's team. You check a draft answer against the results of the steps it was written from, and flag every claim (a fact, a figure, a quote, a recommendation's reason) that no step result supports.";
const style = "Terse: one line per unsupported claim, nothing else.";

/** The marker fakes recognise review requests by. */
export const REVIEW_MARKER = "Review the draft answer";
/** what the reviewer answers when nothing is unsupported */
export const ALL_SUPPORTED = "ALL SUPPORTED";

export const analyticalReviewPrompt: PromptTemplate<AnalyticalReviewVars> = {
  role: "analytical-review",
  version: 1,
  taskType: "analytical",
  system,
  style,
  temperature: 0,
  maxOutputTokens: 300,
  render: ({ task, draft, steps }) => ({
    system: systemWithStyle(system, style),
    instruction: [
      `The request: """${task}"""`,
      "The steps' results:",
      ...steps.map((s, i) => `## Step ${i + 1}: ${s.title}\n${s.text.trim() || "(no result)"}`),
      `The draft answer:\n"""\n${draft}\n"""`,
      `${REVIEW_MARKER} against the steps' results. List each claim of the draft that no step result supports, one per line as: - "<the claim>": <why it is unsupported>. Do not list claims a step supports, and do not rewrite the answer. If every claim is supported, answer exactly: ${ALL_SUPPORTED}`,
    ].join("\n\n"),
  }),
};
