import type { ChatMessage, GenerateOptions } from "@alma/llm";
import { PLAN_MARKER } from "../prompts/analytical-plan-prompt.js";
import { STEP_MARKER } from "../prompts/analytical-step-prompt.js";
import { SYNTHESIS_MARKER } from "../prompts/analytical-synthesis-prompt.js";
import { ALL_SUPPORTED, REVIEW_MARKER } from "../prompts/analytical-review-prompt.js";
import { lastUserText, type FakeReply } from "./fake-chat-model.js";

/** the analytical task the tests ask; PLAN is the plan the responder writes for it */
export const TASK = "Compare TCP and UDP for a multiplayer game and recommend one";

export const PLAN = {
  steps: [
    { id: "s1", title: "Latency", instruction: "Compare latency.", dependsOn: [] },
    { id: "s2", title: "Reliability", instruction: "Compare reliability.", dependsOn: [] },
    { id: "s3", title: "Recommendation", instruction: "Recommend one.", dependsOn: ["s1", "s2"] },
  ],
};

/** The tokens a step streams: distinct per step so a wrong interleaving shows when reassembled. */
export function stepTokens(id: string, n = 6): string[] {
  return Array.from({ length: n }, (_, i) => `${id}:${i} `);
}

export const SYNTHESIS_TOKENS = ["Use ", "UDP ", "with ", "custom ", "reliability."];

export type Role = "plan" | "step" | "synthesis" | "review" | "other";

export function roleOf(messages: ChatMessage[]): { role: Role; stepTitle: string | null } {
  const text = lastUserText(messages);
  if (text.includes(PLAN_MARKER) || text.startsWith("That plan could not be used")) return { role: "plan", stepTitle: null };
  if (text.includes(REVIEW_MARKER)) return { role: "review", stepTitle: null };
  if (text.includes(SYNTHESIS_MARKER)) return { role: "synthesis", stepTitle: null };
  const m = new RegExp(`${STEP_MARKER} \\d+ of \\d+: (.+?)\\.`).exec(text);
  if (m) return { role: "step", stepTitle: m[1]! };
  return { role: "other", stepTitle: null };
}

/** Answers plan, step and synthesis requests like a cooperative model; `override` changes a role's reply. */
export function analyticalResponder(override: (role: Role, stepId: string | null, messages: ChatMessage[]) => FakeReply | null = () => null) {
  return (messages: ChatMessage[], _o: GenerateOptions): FakeReply => {
    const { role, stepTitle } = roleOf(messages);
    const stepId = stepTitle ? (PLAN.steps.find((s) => s.title === stepTitle)?.id ?? null) : null;
    const custom = override(role, stepId, messages);
    if (custom) return custom;
    if (role === "plan") return { deltas: [JSON.stringify(PLAN)] };
    if (role === "step") return { deltas: stepTokens(stepId ?? "s?"), delayMs: 3 };
    if (role === "synthesis") return { deltas: SYNTHESIS_TOKENS };
    if (role === "review") return { deltas: [ALL_SUPPORTED] };
    return { deltas: ['{"type":"analytical","confidence":0.9}'] };
  };
}
