import type { FinishReason, RequestMetrics } from "@alma/protocol";
import type { StepView } from "./ui-message";

export type WaterfallRole = RequestMetrics["role"];

/** Why a request ended short: its output budget, the user's stop, the run's deadline, its step's own cut, a failure, a filter. */
export type WaterfallCut = "length" | "stopped" | "deadline" | "truncated" | "failed" | "filtered";

/** One model request (or, while streaming, one phase) of a run, on a time axis from the message's receipt. */
export interface WaterfallRow {
  key: string;
  role: WaterfallRole;
  /** "Plan", "Synthesis", a step's title… */
  label: string;
  agent: string;
  stepId: string | null;
  /** ms from the message's receipt by the server (live: from the run's start) */
  startMs: number;
  firstTokenMs: number | null;
  endMs: number;
  promptTokens: number | null;
  completionTokens: number | null;
  maxTokens: number | null;
  /** this request's own decode rate: tokens after its first over the time between its first and last token */
  tokensPerSecond: number | null;
  finishReason: string | null;
  cut: WaterfallCut | null;
  /** 0 for a role's (or a step's) first request, n for its nth retry */
  retry: number;
  /** 0 for a step's first request, n for the one after its nth round of tool calls */
  round: number;
  /** the tool calls made after this request (a step's row: its worker's calls until its next request) */
  tools: WaterfallTool[];
  /** still going: its end is now */
  running: boolean;
}

export interface Waterfall {
  rows: WaterfallRow[];
  /** the server's per-request metrics, its per-step metrics (runs stored before requests were measured), or this page's live view */
  source: "requests" | "steps" | "live";
  /** ms from the receipt to the end of the run (or now) */
  spanMs: number;
  /** the run's retries of the model after a transient failure (null while streaming: not counted yet) */
  retries: number | null;
  cacheHit: boolean;
  /** planned steps that have not started yet (live only) */
  waiting: number;
}

/** One tool call, on the same time axis as the requests. */
export interface WaterfallTool {
  key: string;
  tool: string;
  stepId: string;
  status: "running" | "ok" | "error";
  startMs: number;
  endMs: number;
  durationMs: number | null;
  /** still going: its end is now */
  running: boolean;
}

/** a row as built, before its requests are numbered and its tool calls placed */
export type WaterfallRowDraft = Omit<WaterfallRow, "retry" | "round" | "tools">;

const ROLE_ORDER: Record<WaterfallRole, number> = { classify: 0, plan: 1, step: 2, synthesis: 3, answer: 3 };
export const ROLE_LABEL: Record<WaterfallRole, string> = {
  classify: "Classify",
  plan: "Plan",
  step: "Step",
  synthesis: "Synthesis",
  answer: "Answer",
};

export function cutOf(
  role: WaterfallRole,
  finishReason: string | null,
  stepStatus: StepView["status"] | null,
  runFinish: FinishReason | null,
): WaterfallCut | null {
  if (finishReason === "length") return "length";
  if (stepStatus === "truncated" || stepStatus === "stopped" || stepStatus === "failed") return stepStatus;
  switch (finishReason) {
    case "content_filter":
      return "filtered";
    case "error":
      return "failed";
    case "stopped":
    case "deadline":
      return finishReason;
    case "aborted":
      if (runFinish === "stopped" || runFinish === "deadline") return runFinish;
      // the planner is stopped on purpose once it has written enough of the plan
      return role === "plan" ? null : "stopped";
    default:
      return null;
  }
}

/**
 * Numbers each role's (each step's) requests in start order: one that follows a request ending in tool calls is the
 * step's next round; any other later one is a retry.
 */
export function numberRequests(rows: WaterfallRowDraft[]): WaterfallRow[] {
  const seen = new Map<string, { n: number; retries: number; rounds: number; lastFinish: string | null }>();
  return rows.map((r) => {
    const id = `${r.role}:${r.stepId ?? ""}`;
    const s = seen.get(id) ?? { n: 0, retries: 0, rounds: 0, lastFinish: null };
    let retry = 0;
    if (s.n > 0 && s.lastFinish === "tool_calls") {
      s.rounds++;
      s.retries = 0;
    } else if (s.n > 0) {
      retry = ++s.retries;
    }
    const key = s.n === 0 ? r.key : `${r.key}#${s.n}`;
    seen.set(id, { ...s, n: s.n + 1, lastFinish: r.finishReason });
    return { ...r, key, retry, round: s.rounds, tools: [] };
  });
}

export function byStart(a: { startMs: number; role: WaterfallRole }, b: { startMs: number; role: WaterfallRole }): number {
  return a.startMs - b.startMs || ROLE_ORDER[a.role] - ROLE_ORDER[b.role];
}
