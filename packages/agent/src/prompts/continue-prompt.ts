import type { PromptTemplate } from "./prompt-template.js";

export interface ContinueVars {
  /** the system prompt of the task type being continued */
  baseSystem: string;
}

const instruction =
  "Continue your previous answer exactly where it stopped, mid-sentence if need be. Do not repeat anything already written and do not comment on the continuation.";

export const continuePrompt: PromptTemplate<ContinueVars> = {
  role: "continue",
  version: 1,
  taskType: null,
  system: "",
  style: "",
  temperature: 0.5,
  maxOutputTokens: 1024,
  render: ({ baseSystem }) => ({ system: baseSystem, instruction }),
};
