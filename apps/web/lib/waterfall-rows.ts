import { decodeRateBetween, type FinishReason, type RequestMetrics, type RunMetrics } from "@alma/protocol";
import type { StepView, UiMessage } from "./ui-message";
import { EMPTY_CLOCK, type ClockMark, type LiveClock } from "./waterfall-clock";

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

const ROLE_ORDER: Record<WaterfallRole, number> = { classify: 0, plan: 1, step: 2, synthesis: 3, answer: 3 };
export const ROLE_LABEL: Record<WaterfallRole, string> = {
  classify: "Classify",
  plan: "Plan",
  step: "Step",
  synthesis: "Synthesis",
  answer: "Answer",
};

function cutOf(role: WaterfallRole, finishReason: string | null, stepStatus: StepView["status"] | null, runFinish: FinishReason | null): WaterfallCut | null {
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

/** Numbers each role's (each step's) requests in start order: the second and later ones are retries. */
function numberRetries(rows: Omit<WaterfallRow, "retry">[]): WaterfallRow[] {
  const seen = new Map<string, number>();
  return rows.map((r) => {
    const id = `${r.role}:${r.stepId ?? ""}`;
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    return { ...r, key: n === 0 ? r.key : `${r.key}#${n}`, retry: n };
  });
}

function byStart(a: { startMs: number; role: WaterfallRole }, b: { startMs: number; role: WaterfallRole }): number {
  return a.startMs - b.startMs || ROLE_ORDER[a.role] - ROLE_ORDER[b.role];
}

/** A finished run's rows from the server's metrics; `steps` (the message's) give each step's status, `runFinish` how the run ended. */
export function waterfallFromMetrics(mt: RunMetrics, steps: readonly StepView[] | null = null, runFinish: FinishReason | null = null): Waterfall {
  const statusOf = (stepId: string | null) => (stepId === null ? null : (steps?.find((s) => s.id === stepId)?.status ?? null));
  const titleOf = (stepId: string) => mt.steps.find((s) => s.stepId === stepId)?.title ?? steps?.find((s) => s.id === stepId)?.title ?? stepId;
  let rows: Omit<WaterfallRow, "retry">[];
  let source: Waterfall["source"] = "requests";
  if (mt.requests && mt.requests.length > 0) {
    rows = [...mt.requests].sort(byStart).map((r, i) => ({
      key: `${r.role}:${r.stepId ?? i}`,
      role: r.role,
      label: r.role === "step" && r.stepId !== null ? titleOf(r.stepId) : ROLE_LABEL[r.role],
      agent: r.agent,
      stepId: r.stepId,
      startMs: r.startMs,
      firstTokenMs: r.firstTokenMs,
      endMs: Math.max(r.startMs, r.endMs),
      promptTokens: r.promptTokens,
      completionTokens: r.completionTokens,
      maxTokens: r.maxTokens,
      tokensPerSecond: r.tokensPerSecond,
      finishReason: r.finishReason,
      cut: cutOf(r.role, r.finishReason, statusOf(r.stepId), runFinish),
      running: false,
    }));
  } else {
    // stored before each request was measured: the steps' own timings, and the answer after them
    source = "steps";
    rows = mt.steps.map((s) => ({
      key: `step:${s.stepId}`,
      role: "step" as const,
      label: s.title,
      agent: steps?.find((v) => v.id === s.stepId)?.agent ?? "worker",
      stepId: s.stepId,
      startMs: s.startMs,
      firstTokenMs: s.firstTokenMs,
      endMs: Math.max(s.startMs, s.endMs),
      promptTokens: null,
      completionTokens: s.completionTokens,
      maxTokens: null,
      tokensPerSecond: s.tokensPerSecond ?? null,
      finishReason: s.finishReason,
      cut: cutOf("step", s.finishReason, statusOf(s.stepId), runFinish),
      running: false,
    }));
    if (!mt.cacheHit && mt.firstTokenMs !== null) {
      const analytical = rows.length > 0;
      const start = analytical ? Math.max(...rows.map((r) => r.endMs)) : (mt.upstreamStartedMs ?? mt.requestBuiltMs ?? 0);
      const stepTokens = rows.reduce((n, r) => n + (r.completionTokens ?? 0), 0);
      rows.push({
        key: analytical ? "synthesis" : "answer",
        role: analytical ? "synthesis" : "answer",
        label: analytical ? "Synthesis" : "Answer",
        agent: "manager",
        stepId: null,
        startMs: start,
        firstTokenMs: analytical ? null : mt.firstTokenMs,
        endMs: Math.max(start, mt.lastTokenMs ?? mt.totalMs),
        promptTokens: analytical ? null : mt.promptTokens,
        completionTokens: analytical
          ? Math.max(0, mt.completionTokens - stepTokens - (mt.planningTokens ?? 0) - (mt.classificationTokens ?? 0))
          : mt.completionTokens,
        maxTokens: null,
        tokensPerSecond: analytical ? null : mt.tokensPerSecond,
        finishReason: runFinish,
        cut: cutOf(analytical ? "synthesis" : "answer", runFinish, null, runFinish),
        running: false,
      });
    }
    rows.sort(byStart);
  }
  const spanMs = Math.max(mt.totalMs, ...rows.map((r) => r.endMs));
  return { rows: numberRetries(rows), source, spanMs, retries: mt.retries, cacheHit: mt.cacheHit, waiting: 0 };
}

/** The server's clock minus this page's, as far as the message tells: exact once a step's first token arrived. */
export function clockOffset(m: UiMessage, clock: LiveClock): number {
  const live = m.live;
  const firsts = (m.steps ?? []).map((s) => s.firstTokenAt).filter((t): t is number => typeof t === "number");
  // the run's first token was its first step's: the same instant on both clocks
  if (live && live.firstTokenAt !== null && firsts.length > 0) return live.firstTokenAt - Math.min(...firsts);
  return clock.offsetMs ?? 0;
}

/**
 * A run's rows while it streams, from the message's steps (server clock: startedAt, firstTokenAt, durationMs, status),
 * its live timings (this page's clock) and what this page saw happen (`clock`). Hidden work is shown as the phase
 * it was (classify, plan); its tokens come with the run's metrics at the end.
 */
export function waterfallFromLive(m: UiMessage, now: number, clock: LiveClock): Waterfall | null {
  const live = m.live;
  if (!live) return null;
  const streaming = m.status === "streaming";
  const t0 = live.startedAt;
  const offset = clockOffset(m, clock);
  const fromServer = (t: number) => t + offset - t0;
  const fromLocal = (t: number) => t - t0;
  const mark = (k: ClockMark) => {
    const at = clock.marks[k];
    return at === undefined ? null : Math.max(0, fromLocal(at));
  };
  const steps = m.steps ?? [];
  const started = steps.filter((s): s is StepView & { startedAt: number } => typeof s.startedAt === "number").sort((a, b) => a.startedAt - b.startedAt);
  const stepEnds = started.map((s) => (s.durationMs !== null ? fromServer(s.startedAt) + s.durationMs : null));
  const lastToken = live.lastTokenAt === null ? null : fromLocal(live.lastTokenAt);
  const end = streaming ? Math.max(0, now - t0) : Math.max(0, lastToken ?? 0, ...stepEnds.filter((e): e is number => e !== null));
  const phase = m.progress?.phase ?? null;
  const rows: Omit<WaterfallRow, "retry">[] = [];
  const base = { promptTokens: null, completionTokens: null, maxTokens: null, tokensPerSecond: null, finishReason: null, cut: null, firstTokenMs: null };

  // classification by the model shows as a phase long enough to be seen; rules decide in a millisecond
  const classifyStart = mark("classifying");
  const afterClassify = classifyStart === null ? null : nextMark(clock, "classifying");
  const classifyEnd = afterClassify === null ? null : Math.max(0, fromLocal(afterClassify));
  const classifying = streaming && phase === "classifying";
  if (classifying || (classifyStart !== null && classifyEnd !== null && classifyEnd - classifyStart >= 50)) {
    const start = classifyStart ?? 0;
    rows.push({
      ...base,
      key: "classify",
      role: "classify",
      label: ROLE_LABEL.classify,
      agent: "manager",
      stepId: null,
      startMs: start,
      endMs: Math.max(start, classifying ? end : classifyEnd!),
      running: classifying,
    });
  }

  const planning = streaming && (phase === "planning" || m.planning);
  const firstStepStart = started.length > 0 ? fromServer(started[0]!.startedAt) : null;
  if (planning || started.length > 0 || steps.length > 0 || mark("planning") !== null) {
    const start = mark("planning") ?? 0;
    const planEnd = planning ? end : (mark("planned") ?? firstStepStart ?? mark("synthesizing") ?? end);
    rows.push({
      ...base,
      key: "plan",
      role: "plan",
      label: ROLE_LABEL.plan,
      agent: "manager",
      stepId: null,
      startMs: start,
      endMs: Math.max(start, planEnd),
      running: planning,
    });
  }

  started.forEach((s, i) => {
    const start = Math.max(0, fromServer(s.startedAt));
    const first = typeof s.firstTokenAt === "number" ? Math.max(start, fromServer(s.firstTokenAt)) : null;
    const running = streaming && s.status === "running";
    const stepEnd = Math.max(start, stepEnds[i] ?? end);
    const tokens = s.completionTokens ?? null;
    rows.push({
      ...base,
      key: `step:${s.id}`,
      role: "step",
      label: s.title,
      agent: s.agent,
      stepId: s.id,
      startMs: start,
      firstTokenMs: first,
      endMs: stepEnd,
      completionTokens: tokens,
      // the step's last token time is not sent: its end stands in until the run's metrics give the request's own rate
      tokensPerSecond: tokens === null || running ? null : decodeRateBetween(tokens, first, stepEnd),
      cut: cutOf("step", null, s.status, m.finishReason),
      running,
    });
  });

  const analytical = steps.length > 0 || rows.some((r) => r.role === "plan");
  const retried = clock.marks.retrying !== undefined || (streaming && phase === "retrying") ? 1 : 0;
  if (analytical) {
    const synthStart = mark("synthesizing");
    if ((streaming && phase === "synthesizing") || synthStart !== null || m.content.length > 0) {
      const known = stepEnds.filter((e): e is number => e !== null);
      const start = synthStart ?? (known.length > 0 ? Math.max(...known) : end);
      const text = mark("text");
      rows.push({
        ...base,
        key: "synthesis",
        role: "synthesis",
        label: ROLE_LABEL.synthesis,
        agent: "manager",
        stepId: null,
        startMs: start,
        firstTokenMs: text !== null && text >= start ? text : null,
        endMs: Math.max(start, streaming ? end : (lastToken ?? end)),
        cut: cutOf("synthesis", m.finishReason, null, m.finishReason),
        running: streaming,
      });
    }
  } else if ((streaming && (phase === "generating" || phase === "retrying")) || live.firstTokenAt !== null || mark("generating") !== null) {
    const start = mark("generating") ?? (classifyEnd !== null && classifyStart !== null && classifyEnd - classifyStart >= 50 ? classifyEnd : 0);
    const first = live.firstTokenAt === null ? null : Math.max(start, fromLocal(live.firstTokenAt));
    rows.push({
      ...base,
      key: "answer",
      role: "answer",
      label: ROLE_LABEL.answer,
      agent: "manager",
      stepId: null,
      startMs: start,
      firstTokenMs: first,
      endMs: Math.max(start, streaming ? end : (lastToken ?? end)),
      completionTokens: live.tokens,
      tokensPerSecond: decodeRateBetween(live.tokens, live.firstTokenAt, live.lastTokenAt),
      cut: cutOf("answer", m.finishReason, null, m.finishReason),
      running: streaming,
    });
  }

  const numbered = rows.map((r) => ({ ...r, retry: retried && (r.role === "answer" || r.role === "synthesis") ? retried : 0 }));
  numbered.sort(byStart);
  return {
    rows: numbered,
    source: "live",
    spanMs: Math.max(end, ...numbered.map((r) => r.endMs)),
    retries: null,
    cacheHit: m.cacheHit,
    waiting: steps.filter((s) => s.status === "pending").length,
  };
}

/** the earliest mark of a phase the run entered after `phase`, on this page's clock */
function nextMark(clock: LiveClock, phase: ClockMark): number | null {
  const at = clock.marks[phase];
  if (at === undefined) return null;
  const later = Object.entries(clock.marks)
    .filter(([k, t]) => k !== phase && k !== "text" && k !== "planned" && t !== undefined && t >= at)
    .map(([, t]) => t as number);
  return later.length > 0 ? Math.min(...later) : null;
}

/** The waterfall of an answer: from its metrics once the run ended, else live; null for a message with neither. */
export function messageWaterfall(m: UiMessage, now: number, clock: LiveClock): Waterfall | null {
  if (m.role !== "assistant") return null;
  if (m.metrics) return waterfallFromMetrics(m.metrics, m.steps, m.finishReason);
  return waterfallFromLive(m, now, clock.runId === m.runId ? clock : EMPTY_CLOCK);
}

/** Round tick marks for a time axis of `spanMs`: about `target` ticks at 1, 2, 2.5 or 5 × 10ⁿ ms; the last one at or past the span. */
export function timeTicks(spanMs: number, target = 5): number[] {
  const span = Math.max(100, spanMs);
  const raw = span / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * pow).find((s) => s >= raw) ?? 10 * pow;
  const ticks: number[] = [];
  for (let t = 0; t < span + step; t += step) {
    ticks.push(Math.round(t * 1000) / 1000);
    if (t >= span) break;
  }
  return ticks;
}
