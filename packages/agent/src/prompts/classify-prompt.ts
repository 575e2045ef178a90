import type { PromptTemplate } from "./prompt-template.js";

export interface ClassifyVars {
  text: string;
}

const system =
  'Classify the user\'s message. Types: "creative" (stories, poems, lyrics, slogans, brainstorming), "analytical" (explain, compare, evaluate, plan, compute, diagnose), "conversational" (greetings, thanks, small talk). Reply with JSON only: {"type": "...", "confidence": 0.0-1.0}';

/** Long messages are cut: the type shows in the first few hundred characters. */
const MAX_CHARS = 600;

export const CLASSIFY_MARKER = "Classify the user's message";

export const classifyPrompt: PromptTemplate<ClassifyVars> = {
  role: "classify",
  version: 1,
  taskType: null,
  system,
  style: "",
  temperature: 0,
  maxOutputTokens: 20,
  render: ({ text }) => ({ system, instruction: text.slice(0, MAX_CHARS) }),
};
