import type { AgentKind } from "./agent-kind.js";
import { AnalystAgent } from "./analyst-agent.js";
import { analyticalStepPrompt } from "./prompts/analytical-step-prompt.js";

/** The general-purpose worker: reasons and writes, no tools. Every step whose kind is unknown runs as it. */
export const analystKind: AgentKind = {
  name: "analyst",
  description: "reasons, explains, compares and recommends from general knowledge and earlier steps' results; no tools",
  prompt: analyticalStepPrompt,
  tools: [],
  plannable: true,
  available: () => true,
  create: () => new AnalystAgent(),
};
