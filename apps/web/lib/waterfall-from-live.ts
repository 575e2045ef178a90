import { decodeRateBetween } from "@alma/protocol";
import type { StepView, UiMessage } from "./ui-message";
import type { ClockMark, LiveClock } from "./waterfall-clock";
import { byStart, cutOf, ROLE_LABEL, type Waterfall, type WaterfallRow, type WaterfallRowDraft } from "./waterfall-model";
import { placeTools, toolMarks } from "./waterfall-tools";

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
  const rows: WaterfallRowDraft[] = [];
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

  const numbered = rows.map(
    (r): WaterfallRow => ({ ...r, retry: retried && (r.role === "answer" || r.role === "synthesis") ? retried : 0, round: 0, tools: [] }),
  );
  numbered.sort(byStart);
  return {
    rows: placeTools(numbered, toolMarks(steps, fromServer, end, streaming)),
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
