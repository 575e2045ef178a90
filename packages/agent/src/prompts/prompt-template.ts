import type { TaskType } from "@alma/protocol";

/** Bumped when any template's wording changes in a way that should invalidate cached answers. */
export const PROMPT_VERSION = 1;

export type PromptRole =
  | "creative"
  | "conversational"
  | "analytical-plan"
  | "analytical-step"
  | "calculator-step"
  | "researcher-step"
  | "analytical-review"
  | "analytical-synthesis"
  | "analytical-direct"
  | "classify"
  | "continue";

/** What a rendered template adds to a request: a system prompt and, for roles that need one, a final user instruction. */
export interface RenderedPrompt {
  system: string;
  instruction: string | null;
}

export interface PromptTemplate<Vars> {
  role: PromptRole;
  /** the template's own version; part of the cache key together with PROMPT_VERSION */
  version: number;
  taskType: TaskType | null;
  system: string;
  style: string;
  temperature: number;
  maxOutputTokens: number;
  render(vars: Vars): RenderedPrompt;
}

/** `PROMPT_VERSION` and the template's version, e.g. "p1/creative@1": what identifies a template in a cache key. */
export function templateVersionTag(template: { role: PromptRole; version: number }): string {
  return `p${PROMPT_VERSION}/${template.role}@${template.version}`;
}

/** Joins the system prompt and the style guidance the way every template does. */
export function systemWithStyle(system: string, style: string): string {
  return style ? `${system}\n\nStyle: ${style}` : system;
}
