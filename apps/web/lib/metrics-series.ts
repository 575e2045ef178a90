import { combinedDecodeRate, type RunMetrics, type ServerMetrics } from "@alma/protocol";
import type { UiMessage } from "./ui-message";

/**
 * The value below which p percent of the values fall, interpolated between the two nearest ranks (as a spreadsheet's
 * PERCENTILE does); null for no values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (xs.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return xs[lo]! + (xs[hi]! - xs[lo]!) * (rank - lo);
}

/** One answer of the conversation with the server's metrics. */
export interface RunPoint {
  /** 1-based over the conversation's measured answers */
  n: number;
  messageId: string;
  /** epoch ms the server received the message */
  at: number;
  provider: string;
  model: string;
  ttftMs: number | null;
  totalMs: number;
  /** the model's decode rate across the run's requests; null for a cache hit (no model decoded it) */
  tokensPerSecond: number | null;
  promptTokens: number;
  completionTokens: number;
  cacheHit: boolean;
  metrics: RunMetrics;
}

/** The conversation's measured answers, oldest first, the last `lastN` of them (all when lastN is not given). */
export function runPoints(messages: readonly UiMessage[], lastN?: number): RunPoint[] {
  const points: RunPoint[] = [];
  for (const m of messages) {
    const mt = m.role === "assistant" ? m.metrics : null;
    if (!mt) continue;
    points.push({
      n: points.length + 1,
      messageId: m.id,
      at: mt.receivedAt,
      provider: mt.provider,
      model: mt.model,
      ttftMs: mt.firstTokenMs,
      totalMs: mt.totalMs,
      tokensPerSecond: mt.cacheHit ? null : mt.tokensPerSecond,
      promptTokens: mt.promptTokens,
      completionTokens: mt.completionTokens,
      cacheHit: mt.cacheHit,
      metrics: mt,
    });
  }
  return lastN === undefined ? points : points.slice(-lastN);
}

export interface Spread {
  p50: number | null;
  p95: number | null;
  count: number;
}

function spread(values: number[]): Spread {
  return { p50: percentile(values, 50), p95: percentile(values, 95), count: values.length };
}

/** p50 and p95 of time to first token and of total time over the points. */
export function latencySpread(points: readonly RunPoint[]): { ttft: Spread; total: Spread } {
  return {
    ttft: spread(points.map((p) => p.ttftMs).filter((v): v is number => v !== null)),
    total: spread(points.map((p) => p.totalMs)),
  };
}

export interface ModelRate {
  model: string;
  /** the model's decode rate over every request of its runs (each request's tokens after its first over its decode time) */
  tokensPerSecond: number | null;
  runs: number;
  requests: number;
}

/** Each model's decode rate over the points, cache hits left out. */
export function ratesByModel(points: readonly RunPoint[]): ModelRate[] {
  const byModel = new Map<string, { requests: { completionTokens: number; tokensPerSecond: number | null }[]; runs: number }>();
  for (const p of points) {
    if (p.cacheHit) continue;
    const entry = byModel.get(p.model) ?? { requests: [], runs: 0 };
    entry.runs++;
    // runs stored before requests were measured count as one request at the run's rate
    const reqs = p.metrics.requests?.length ? p.metrics.requests : [{ completionTokens: p.completionTokens, tokensPerSecond: p.tokensPerSecond }];
    entry.requests.push(...reqs);
    byModel.set(p.model, entry);
  }
  return [...byModel].map(([model, e]) => ({ model, tokensPerSecond: combinedDecodeRate(e.requests), runs: e.runs, requests: e.requests.length }));
}

/** Share of the points answered from the cache; null for none. */
export function cacheHitShare(points: readonly RunPoint[]): number | null {
  return points.length === 0 ? null : points.filter((p) => p.cacheHit).length / points.length;
}

/** One server sample on a time axis in seconds before the newest (0 = newest, negative before). */
export interface ServerPoint {
  t: number;
  at: number;
  rssMb: number;
  heapMb: number;
  cpuPercent: number;
  eventLoopLagMs: number;
  activeRuns: number;
  connections: number;
  runsPerMinute: number;
  /** percent, null before any run */
  cacheHitPercent: number | null;
}

const MB = 1024 * 1024;

export function serverPoints(samples: readonly ServerMetrics[]): ServerPoint[] {
  const newest = samples.at(-1)?.at ?? 0;
  return samples.map((s) => ({
    t: Math.round((s.at - newest) / 100) / 10,
    at: s.at,
    rssMb: s.rssBytes / MB,
    heapMb: s.heapUsedBytes / MB,
    cpuPercent: s.cpuPercent,
    eventLoopLagMs: s.eventLoopLagMs,
    activeRuns: s.activeRuns,
    connections: s.connections,
    runsPerMinute: s.runsPerMinute,
    cacheHitPercent: s.cacheHitRate === null ? null : s.cacheHitRate * 100,
  }));
}

/** Adds a sample in time order (a repeat of one already held is dropped), keeping the newest `max`. */
export function addSample(samples: readonly ServerMetrics[], sample: ServerMetrics, max: number): ServerMetrics[] {
  if (samples.some((s) => s.at === sample.at)) return samples as ServerMetrics[];
  const next = [...samples, sample].sort((a, b) => a.at - b.at);
  return next.length > max ? next.slice(next.length - max) : next;
}

/**
 * Whether two message lists have the same measured answers (the same metrics objects, in order): what the
 * conversation's charts and totals depend on, so a streaming token does not redraw them.
 */
export function sameMeasuredAnswers(a: readonly UiMessage[], b: readonly UiMessage[]): boolean {
  if (a === b) return true;
  const measured = (ms: readonly UiMessage[]) => ms.filter((m) => m.role === "assistant" && m.metrics !== null);
  const x = measured(a);
  const y = measured(b);
  return x.length === y.length && x.every((m, i) => m.id === y[i]!.id && m.metrics === y[i]!.metrics);
}
