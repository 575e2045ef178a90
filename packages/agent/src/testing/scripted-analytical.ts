import type { ChatMessage, GenerateOptions, ScriptedReply, ScriptedReplyFn } from "@alma/llm";
import { ALL_SUPPORTED, REVIEW_MARKER } from "../prompts/analytical-review-prompt.js";
import { PLAN_MARKER } from "../prompts/analytical-plan-prompt.js";
import { STEP_MARKER } from "../prompts/analytical-step-prompt.js";
import { SYNTHESIS_MARKER } from "../prompts/analytical-synthesis-prompt.js";

/** One step request of a tool loop as a scripted model sees it. */
export interface StepRequest {
  title: string;
  messages: ChatMessage[];
  options: GenerateOptions;
  /** 0 for the step's first request, then one more per tool round */
  round: number;
  /** what the tools returned so far: tool messages, or the JSON convention's "Tool result" messages */
  results: string[];
}

const STEP_TITLE = new RegExp(`${STEP_MARKER} \\d+ of \\d+: (.+?)\\.(?:\\n|$)`);

/** the step a request is for: the user message that carries the step marker (a tool loop adds messages after it) */
export function stepRequestOf(messages: ChatMessage[], options: GenerateOptions): StepRequest | null {
  const at = messages.findIndex((m) => m.role === "user" && STEP_TITLE.test(m.content));
  if (at < 0) return null;
  const after = messages.slice(at + 1);
  return {
    title: STEP_TITLE.exec(messages[at]!.content)![1]!,
    messages,
    options,
    round: after.filter((m) => m.role === "assistant").length,
    results: after.filter((m) => m.role === "tool" || (m.role === "user" && m.content.startsWith("Tool result"))).map((m) => m.content),
  };
}

/**
 * A scripted model for analytical runs: writes `plan`, answers steps with `step`, synthesizes by repeating the
 * steps' results (so what a step found reaches the answer), and reviews with ALL SUPPORTED.
 */
export function scriptedAnalytical(o: {
  plan: { steps: Array<Record<string, unknown>> };
  step: (r: StepRequest) => ScriptedReply | string;
  onRequest?: (messages: ChatMessage[], options: GenerateOptions) => void;
}): ScriptedReplyFn {
  return (messages, options) => {
    o.onRequest?.(messages, options);
    const last = [...messages].reverse().find((m) => m.role === "user")?.content ?? "";
    if (last.includes(PLAN_MARKER)) return JSON.stringify(o.plan);
    const step = stepRequestOf(messages, options);
    if (step) return o.step(step);
    if (last.includes(REVIEW_MARKER)) return ALL_SUPPORTED;
    if (last.includes(SYNTHESIS_MARKER)) {
      const results = last.split("\n## Step ").slice(1);
      return `Answer: ${results.map((r) => r.split("\n").slice(1).join(" ").trim()).join(" | ")}`;
    }
    return '{"type":"analytical","confidence":0.9}';
  };
}

/** the number after "rounded:" (or the exact one) in a calculator result */
export function calculatorValue(result: string): string | null {
  return /rounded: ([-\d.]+)/.exec(result)?.[1] ?? /Result: ([-\d.]+)/.exec(result)?.[1] ?? null;
}
