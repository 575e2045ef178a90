import { systemWithStyle, type PromptTemplate } from "./prompt-template.js";

export interface AnalyticalPlanVars {
  /** the user's request */
  task: string;
  minSteps: number;
  maxSteps: number;
}

const system =
  "You are alma's manager. You break an analytical request into a short plan of independent, concrete steps that worker analysts will carry out; a final synthesis combines their results.";
const style = "Answer with one JSON object and nothing else.";

/** The marker the fake and real providers both see; tests and the fake OpenAI server recognise plan requests by it. */
export const PLAN_MARKER = "Return the plan as JSON";

export const analyticalPlanPrompt: PromptTemplate<AnalyticalPlanVars> = {
  role: "analytical-plan",
  version: 2,
  taskType: "analytical",
  system,
  style,
  temperature: 0.2,
  maxOutputTokens: 400,
  render: ({ task, minSteps, maxSteps }) => ({
    system: systemWithStyle(system, style),
    instruction: [
      `Plan how to answer this request in ${minSteps === maxSteps ? maxSteps : `${minSteps} to ${maxSteps}`} steps:`,
      `"""${task}"""`,
      `${PLAN_MARKER}: {"steps":[{"id":"s1","title":"short title","instruction":"what the analyst must do","dependsOn":[]}]}.`,
      "Keep it compact: titles of at most 6 words, each instruction one sentence of at most 20 words. Ids are s1, s2, ...; dependsOn lists the ids of earlier steps whose results a step needs (empty when it needs none, so it can run in parallel). Do not include the final synthesis as a step.",
    ].join("\n"),
  }),
};
