import { decodeRateBetween, type ContextStats, type RequestMetrics, type RunMetrics } from "@alma/protocol";
import type { UiMessage } from "./chat-state";

export interface StepTiming {
  id: string;
  title: string;
  startMs: number;
  firstTokenMs: number | null;
  endMs: number;
  completionTokens: number;
  /** the step's own decode rate; null when the server did not measure it or the step was too short */
  tokensPerSecond: number | null;
}

/**
 * What the tokens/s figure is: the model's decode rate across the run's requests (the server's, every request of
 * the run counted, hidden ones included); while one stream plays, its visible tokens' rate in this browser; for a
 * cache hit or a run whose parallel streams are still going, none (no one model produced such a rate).
 */
export type RateKind = "model" | "stream" | "cache" | "pending";

export interface AnswerFigures {
  /** true while the figures are the browser's own live estimates; false once the server's run.completed gave them */
  live: boolean;
  ttftMs: number | null;
  totalMs: number | null;
  tokensPerSecond: number | null;
  rateKind: RateKind;
  /** the requests the model's rate is taken over (null when the run does not list them) */
  rateRequests: number | null;
  provider: string | null;
  model: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  /** hidden work: tokens the model wrote to plan the steps / to classify the task; null when not reported */
  planningTokens: number | null;
  classificationTokens: number | null;
  trimmed: number | null;
  summarized: number | null;
  cacheHit: boolean;
  retries: number;
  steps: StepTiming[];
}

/** The server's count of hidden work, or the sum over its requests of that role when only those were sent. */
function hiddenTokens(total: number | undefined, requests: RequestMetrics[] | undefined, role: RequestMetrics["role"]): number | null {
  if (total !== undefined) return total;
  const of = requests?.filter((r) => r.role === role);
  return of && of.length > 0 ? of.reduce((sum, r) => sum + r.completionTokens, 0) : null;
}

function stepTimings(mt: RunMetrics): StepTiming[] {
  return mt.steps.map((s) => {
    // runs stored before steps carried their own rate still have it on the step's request
    const request = mt.requests?.find((r) => r.role === "step" && r.stepId === s.stepId);
    return {
      id: s.stepId,
      title: s.title,
      startMs: s.startMs,
      firstTokenMs: s.firstTokenMs,
      endMs: s.endMs,
      completionTokens: s.completionTokens,
      tokensPerSecond: s.tokensPerSecond ?? request?.tokensPerSecond ?? null,
    };
  });
}

const NO_FIGURES: AnswerFigures = {
  live: false,
  ttftMs: null,
  totalMs: null,
  tokensPerSecond: null,
  rateKind: "pending",
  rateRequests: null,
  provider: null,
  model: null,
  promptTokens: null,
  completionTokens: null,
  planningTokens: null,
  classificationTokens: null,
  trimmed: null,
  summarized: null,
  cacheHit: false,
  retries: 0,
  steps: [],
};

/** One answer's figures: the server's measurements when the run has ended, the browser's while it streams. */
export function answerFigures(m: UiMessage, now: number, context: ContextStats | null): AnswerFigures {
  const mt = m.metrics;
  if (mt) {
    return {
      live: false,
      ttftMs: mt.firstTokenMs,
      totalMs: mt.totalMs,
      // a cached answer is replayed: its pace is the replay's, not a model's
      tokensPerSecond: mt.cacheHit ? null : mt.tokensPerSecond,
      rateKind: mt.cacheHit ? "cache" : "model",
      rateRequests: mt.requests ? mt.requests.filter((r) => r.tokensPerSecond !== null && r.completionTokens >= 2).length : null,
      provider: mt.provider,
      model: mt.model,
      promptTokens: mt.promptTokens,
      completionTokens: mt.completionTokens,
      planningTokens: hiddenTokens(mt.planningTokens, mt.requests, "plan"),
      classificationTokens: hiddenTokens(mt.classificationTokens, mt.requests, "classify"),
      trimmed: mt.context?.messagesTrimmed ?? null,
      summarized: mt.context?.messagesSummarized ?? null,
      cacheHit: mt.cacheHit,
      retries: mt.retries,
      steps: stepTimings(mt),
    };
  }
  const live = m.live;
  if (!live) return NO_FIGURES;
  const t0 = live.sentAt ?? live.startedAt;
  const end = m.status === "streaming" ? now : (live.lastTokenAt ?? now);
  const parallel = (m.steps?.length ?? 0) > 0;
  return {
    ...NO_FIGURES,
    live: true,
    ttftMs: live.firstTokenAt !== null ? live.firstTokenAt - t0 : null,
    totalMs: Math.max(0, end - t0),
    // only the visible tokens reach the browser, so this is their rate as one stream; the server's replaces it. Steps
    // stream side by side: their tokens together are no one model's rate, so none is shown until the run's metrics.
    tokensPerSecond: parallel || m.cacheHit ? null : decodeRateBetween(live.tokens, live.firstTokenAt, live.lastTokenAt),
    rateKind: m.cacheHit ? "cache" : parallel ? "pending" : "stream",
    promptTokens: context?.promptTokens ?? null,
    completionTokens: live.tokens,
    trimmed: context?.messagesTrimmed ?? null,
    summarized: context?.messagesSummarized ?? null,
    cacheHit: m.cacheHit,
  };
}
