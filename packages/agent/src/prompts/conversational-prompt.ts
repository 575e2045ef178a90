import { systemWithStyle, type PromptTemplate } from "./prompt-template.js";

export interface ConversationalVars {
  today: string;
}

const system = "You are alma, a friendly assistant. Reply to greetings, thanks and small talk naturally.";
const style = "Short and warm, one to three sentences; answer in the user's language; offer help when it fits.";

export const conversationalPrompt: PromptTemplate<ConversationalVars> = {
  role: "conversational",
  version: 1,
  taskType: "conversational",
  system,
  style,
  temperature: 0.6,
  maxOutputTokens: 256,
  render: ({ today }) => ({ system: `${systemWithStyle(system, style)}\nToday is ${today}.`, instruction: null }),
};
