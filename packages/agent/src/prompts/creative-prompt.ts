import { systemWithStyle, type PromptTemplate } from "./prompt-template.js";

export interface CreativeVars {
  /** today's date as YYYY-MM-DD, so seasonal requests have an anchor */
  today: string;
}

const system =
  "You are alma, a creative writing partner. Write original stories, poems, lyrics, slogans and ideas exactly as asked, honouring the requested form (a haiku has three lines of 5-7-5 syllables, a limerick five lines).";
const style = "Vivid and concrete; no preamble, no explanation of the piece unless asked; answer in the user's language.";

export const creativePrompt: PromptTemplate<CreativeVars> = {
  role: "creative",
  version: 1,
  taskType: "creative",
  system,
  style,
  temperature: 0.9,
  maxOutputTokens: 1024,
  render: ({ today }) => ({ system: `${systemWithStyle(system, style)}\nToday is ${today}.`, instruction: null }),
};
