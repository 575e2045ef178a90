import type { FakeToolCall } from "./fake-handler.js";
import type { FakeSentToolCall } from "./fake-request-record.js";
import { splitIntoModelTokens } from "./split-into-model-tokens.js";

/** One `delta.tool_calls` entry of a streamed answer. */
export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: "function";
  function: { name?: string; arguments: string };
}

export interface ToolCallPlan {
  /** the calls as they will be sent (arguments cut when the budget ran out) */
  calls: Omit<FakeSentToolCall, "requestIndex">[];
  /** the stream's pieces, in order: each is one chunk */
  deltas: ToolCallDelta[];
  /** tokens the calls cost: one for each call's name, one per piece of its arguments */
  tokens: number;
  /** the budget ran out inside the calls (finish reason "length") */
  cut: boolean;
}

export interface PlanToolCallsOptions {
  /** "fragments": name first with empty arguments, then the arguments token by token; "whole": one chunk per call */
  style: "fragments" | "whole";
  makeId: () => string;
  /** answer tokens left after the text, null when unbounded */
  budget: number | null;
}

/** How the fake model's calls go out: their ids, their chunks, and where max_tokens cuts them. */
export function planToolCalls(toolCalls: readonly FakeToolCall[], options: PlanToolCallsOptions): ToolCallPlan {
  const plan: ToolCallPlan = { calls: [], deltas: [], tokens: 0, cut: false };
  let budget = options.budget;
  for (const [index, call] of toolCalls.entries()) {
    if (budget !== null && budget <= 0) {
      plan.cut = true;
      break;
    }
    const id = call.id === null ? null : (call.id ?? options.makeId());
    const text = typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments);
    let pieces = splitIntoModelTokens(text);
    if (budget !== null) {
      budget -= 1;
      if (pieces.length > budget) {
        pieces = pieces.slice(0, budget);
        plan.cut = true;
      }
      budget -= pieces.length;
    }
    plan.tokens += 1 + pieces.length;
    const head = { index, ...(id !== null ? { id } : {}), type: "function" as const };
    if (options.style === "whole") {
      plan.deltas.push({ ...head, function: { name: call.name, arguments: pieces.join("") } });
    } else {
      plan.deltas.push({ ...head, function: { name: call.name, arguments: "" } });
      for (const piece of pieces) plan.deltas.push({ index, function: { arguments: piece } });
    }
    plan.calls.push({ id, name: call.name, arguments: pieces.join("") });
    if (plan.cut) break;
  }
  return plan;
}
