import { systemWithStyle, type PromptTemplate } from "./prompt-template.js";

export interface AnalyticalPlanVars {
  /** the user's request */
  task: string;
  minSteps: number;
  maxSteps: number;
  /** the worker kinds a step may name, with what each does; absent or one: the plan names none */
  kinds?: ReadonlyArray<{ name: string; description: string }>;
  /** the documents attached to the conversation, with their sizes */
  documents?: ReadonlyArray<{ name: string; size: string }>;
}

const system =
  "You are alma's manager. You break an analytical request into a short plan of independent, concrete steps that workers will carry out; a final synthesis combines their results.";
const style = "Answer with one JSON object and nothing else.";

/** The marker the fake and real providers both see; tests and the fake OpenAI server recognise plan requests by it. */
export const PLAN_MARKER = "Return the plan as JSON";

export const analyticalPlanPrompt: PromptTemplate<AnalyticalPlanVars> = {
  role: "analytical-plan",
  version: 3,
  taskType: "analytical",
  system,
  style,
  temperature: 0.2,
  maxOutputTokens: 400,
  render: ({ task, minSteps, maxSteps, kinds = [], documents = [] }) => {
    const withKinds = kinds.length > 1;
    const example = withKinds
      ? `{"steps":[{"id":"s1","title":"short title","agent":"${kinds[0]!.name}","instruction":"what the worker must do","dependsOn":[]}]}`
      : `{"steps":[{"id":"s1","title":"short title","instruction":"what the analyst must do","dependsOn":[]}]}`;
    return {
      system: systemWithStyle(system, style),
      instruction: [
        `Plan how to answer this request in ${minSteps === maxSteps ? maxSteps : `${minSteps} to ${maxSteps}`} steps:`,
        `"""${task}"""`,
        documents.length > 0
          ? `The user attached these documents: ${documents.map((d) => `${d.name} (${d.size})`).join(", ")}. Steps that need what they say go to the researcher.`
          : null,
        withKinds ? `Each step names the worker that carries it out ("agent"):\n${kinds.map((k) => `- ${k.name}: ${k.description}`).join("\n")}` : null,
        `${PLAN_MARKER}: ${example}.`,
        "Keep it compact: titles of at most 6 words, each instruction one sentence of at most 20 words. Ids are s1, s2, ...; dependsOn lists the ids of earlier steps whose results a step needs (empty when it needs none, so it can run in parallel). Do not include the final synthesis as a step.",
        withKinds
          ? `Give each step the worker that fits it best${kinds.some((k) => k.name === "calculator") ? "; a figure that must be computed goes to the calculator" : ""}.`
          : null,
      ]
        .filter((x): x is string => x !== null)
        .join("\n"),
    };
  },
};
