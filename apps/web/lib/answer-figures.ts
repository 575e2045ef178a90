import type { ContextStats } from "@alma/protocol";
import type { UiMessage } from "./chat-state";

export interface StepTiming {
  id: string;
  title: string;
  startMs: number;
  firstTokenMs: number | null;
  endMs: number;
}

export interface AnswerFigures {
  /** true while the figures are the browser's own live estimates; false once the server's run.completed gave them */
  live: boolean;
  ttftMs: number | null;
  totalMs: number | null;
  tokensPerSecond: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  trimmed: number | null;
  summarized: number | null;
  cacheHit: boolean;
  retries: number;
  steps: StepTiming[];
}

/** One answer's figures: the server's measurements when the run has ended, the browser's while it streams. */
export function answerFigures(m: UiMessage, now: number, context: ContextStats | null): AnswerFigures {
  const mt = m.metrics;
  if (mt) {
    return {
      live: false,
      ttftMs: mt.firstTokenMs,
      totalMs: mt.totalMs,
      tokensPerSecond: mt.tokensPerSecond,
      promptTokens: mt.promptTokens,
      completionTokens: mt.completionTokens,
      trimmed: mt.context?.messagesTrimmed ?? null,
      summarized: mt.context?.messagesSummarized ?? null,
      cacheHit: mt.cacheHit,
      retries: mt.retries,
      steps: mt.steps.map((s) => ({ id: s.stepId, title: s.title, startMs: s.startMs, firstTokenMs: s.firstTokenMs, endMs: s.endMs })),
    };
  }
  const live = m.live;
  if (!live) {
    return { live: false, ttftMs: null, totalMs: null, tokensPerSecond: null, promptTokens: null, completionTokens: null, trimmed: null, summarized: null, cacheHit: false, retries: 0, steps: [] };
  }
  const t0 = live.sentAt ?? live.startedAt;
  const end = m.status === "streaming" ? now : (live.lastTokenAt ?? now);
  const span = live.firstTokenAt !== null && live.lastTokenAt !== null ? (live.lastTokenAt - live.firstTokenAt) / 1000 : 0;
  return {
    live: true,
    ttftMs: live.firstTokenAt !== null ? live.firstTokenAt - t0 : null,
    totalMs: Math.max(0, end - t0),
    tokensPerSecond: span > 0 ? (live.tokens - 1) / span : null,
    promptTokens: context?.promptTokens ?? null,
    completionTokens: live.tokens,
    trimmed: context?.messagesTrimmed ?? null,
    summarized: context?.messagesSummarized ?? null,
    cacheHit: m.cacheHit,
    retries: 0,
    steps: [],
  };
}
