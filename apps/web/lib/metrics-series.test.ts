import { describe, expect, it } from "vitest";
import type { ServerMetrics } from "@alma/protocol";
import type { UiMessage } from "./ui-message";
import { addSample, cacheHitShare, latencySpread, percentile, ratesByModel, runPoints, sameMeasuredAnswers, serverPoints } from "./metrics-series";
import { analyticalMetrics, blankAnswer, request } from "./metrics-fixtures.test-helpers";

describe("percentile", () => {
  it("interpolates between the nearest ranks", () => {
    expect(percentile([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(percentile([4, 1, 3, 2], 50)).toBe(2.5);
    expect(percentile([100, 200], 95)).toBeCloseTo(195);
    expect(
      percentile(
        Array.from({ length: 20 }, (_, i) => i + 1),
        95,
      ),
    ).toBeCloseTo(19.05);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNull();
    expect(percentile([1, Number.NaN, 3], 50)).toBe(2);
  });
});

const answer = (id: string, over: Parameters<typeof analyticalMetrics>[0]): UiMessage => ({ ...blankAnswer, id, metrics: analyticalMetrics(over) });

describe("conversation series", () => {
  const messages: UiMessage[] = [
    { ...blankAnswer, id: "u1", role: "user", content: "q" },
    answer("a1", { firstTokenMs: 100, totalMs: 1000, promptTokens: 10, completionTokens: 20 }),
    { ...blankAnswer, id: "a2", status: "streaming" },
    answer("a3", { firstTokenMs: 300, totalMs: 3000, model: "llama3", requests: [request({ role: "answer", completionTokens: 11, tokensPerSecond: 20 })] }),
    answer("a4", { firstTokenMs: 5, totalMs: 50, cacheHit: true, tokensPerSecond: 900 }),
  ];

  it("takes the measured answers in order, numbered, the last N of them", () => {
    const points = runPoints(messages);
    expect(points.map((p) => [p.n, p.messageId, p.ttftMs, p.totalMs])).toEqual([
      [1, "a1", 100, 1000],
      [2, "a3", 300, 3000],
      [3, "a4", 5, 50],
    ]);
    expect(runPoints(messages, 2).map((p) => p.n)).toEqual([2, 3]);
    // a cache hit's replay pace is no model's
    expect(points[2]!.tokensPerSecond).toBeNull();
  });

  it("tells when the measured answers are unchanged, so a streaming token does not redraw the charts", () => {
    const streamed = messages.map((m) => (m.id === "a2" ? { ...m, content: "more text" } : m));
    expect(sameMeasuredAnswers(messages, streamed)).toBe(true);
    const ended = messages.map((m) => (m.id === "a2" ? { ...m, metrics: analyticalMetrics() } : m));
    expect(sameMeasuredAnswers(messages, ended)).toBe(false);
    const remeasured = messages.map((m) => (m.id === "a1" ? { ...m, metrics: analyticalMetrics() } : m));
    expect(sameMeasuredAnswers(messages, remeasured)).toBe(false);
    expect(sameMeasuredAnswers(messages, messages.slice(0, 4))).toBe(false);
  });

  it("gives p50 and p95 of time to first token and of total time", () => {
    const s = latencySpread(runPoints(messages));
    expect(s.ttft).toEqual({ p50: 100, p95: expect.closeTo(280, 5), count: 3 });
    expect(s.total).toEqual({ p50: 1000, p95: expect.closeTo(2800, 5), count: 3 });
    expect(latencySpread([]).ttft).toEqual({ p50: null, p95: null, count: 0 });
  });

  it("gives each model's decode rate over its requests, cache hits left out", () => {
    const rates = ratesByModel(runPoints(messages));
    expect(rates.map((r) => [r.model, r.runs, r.requests])).toEqual([
      ["gpt-4o-mini-2024-07-18", 1, 4],
      ["llama3", 1, 1],
    ]);
    expect(rates[1]!.tokensPerSecond).toBeCloseTo(20);
    // the plan's 85 tokens at 259.5/s, the steps' 89 at 38.9 and 36.1, the synthesis' 15 at 38.5: one model's pace
    const decodeMs = (85 / 259.5 + 89 / 38.9 + 89 / 36.1 + 15 / 38.5) * 1000;
    expect(rates[0]!.tokensPerSecond).toBeCloseTo((278 * 1000) / decodeMs);
    expect(cacheHitShare(runPoints(messages))).toBeCloseTo(1 / 3);
    expect(cacheHitShare([])).toBeNull();
  });
});

const sample = (at: number, over: Partial<ServerMetrics> = {}): ServerMetrics => ({
  type: "metrics.server",
  at,
  activeRuns: 1,
  connections: 2,
  runsPerMinute: 3,
  cacheHitRate: 0.25,
  ttftMs: { p50: 100, p95: 200 },
  tokensPerSecond: { p50: 30, p95: 40 },
  rssBytes: 100 * 1024 * 1024,
  heapUsedBytes: 50 * 1024 * 1024,
  cpuPercent: 12,
  eventLoopLagMs: 1.5,
  ...over,
});

describe("server series", () => {
  it("puts samples on seconds before the newest, in MB and percent", () => {
    const points = serverPoints([sample(10_000), sample(11_000, { cacheHitRate: null }), sample(12_000)]);
    expect(points.map((p) => p.t)).toEqual([-2, -1, 0]);
    expect(points[0]).toMatchObject({ rssMb: 100, heapMb: 50, cpuPercent: 12, eventLoopLagMs: 1.5, activeRuns: 1, connections: 2, cacheHitPercent: 25 });
    expect(points[1]!.cacheHitPercent).toBeNull();
  });

  it("accumulates samples in time order, once each, the newest max of them", () => {
    let xs: ServerMetrics[] = [];
    for (const at of [3, 1, 2, 2, 4]) xs = addSample(xs, sample(at), 3);
    expect(xs.map((s) => s.at)).toEqual([2, 3, 4]);
  });
});
