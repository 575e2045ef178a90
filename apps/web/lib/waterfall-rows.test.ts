import { describe, expect, it } from "vitest";
import type { UiMessage } from "./ui-message";
import { EMPTY_CLOCK, type LiveClock } from "./waterfall-clock";
import { messageWaterfall, timeTicks, waterfallFromLive, waterfallFromMetrics, type WaterfallRow } from "./waterfall-rows";
import { analyticalMetrics, blankAnswer, request, step } from "./metrics-fixtures.test-helpers";

const shape = (rows: WaterfallRow[]) => rows.map((r) => [r.role, r.stepId, r.startMs, r.firstTokenMs, r.endMs]);
const overlap = (a: WaterfallRow, b: WaterfallRow) => a.startMs < b.endMs && b.startMs < a.endMs;

describe("waterfallFromMetrics", () => {
  it("gives one row per request in start order, each with its own timings, tokens and rate", () => {
    const w = waterfallFromMetrics(analyticalMetrics());
    expect(w.source).toBe("requests");
    expect(shape(w.rows)).toEqual([
      ["plan", null, 78, 217, 545],
      ["step", "s1", 396, 441, 2730],
      ["step", "s2", 400, 460, 3000],
      ["synthesis", null, 3010, 3040, 5489],
    ]);
    expect(w.rows.map((r) => [r.label, r.agent, r.completionTokens, r.promptTokens, r.tokensPerSecond])).toEqual([
      ["Plan", "manager", 86, 197, 259.5],
      ["Gather the facts", "analyst", 90, 124, 38.9],
      ["Compare the options", "critic", 90, 493, 36.1],
      ["Synthesis", "manager", 16, 853, 38.5],
    ]);
    expect(w.spanMs).toBe(5490);
    expect(w.retries).toBe(0);
  });

  it("keeps parallel steps on their own rows, overlapping on the one time scale; the first step overlaps the plan still streaming", () => {
    const [plan, s1, s2, synthesis] = waterfallFromMetrics(analyticalMetrics()).rows;
    expect(overlap(s1!, s2!)).toBe(true);
    expect(overlap(plan!, s1!)).toBe(true);
    expect(overlap(s2!, synthesis!)).toBe(false);
  });

  it("marks cut requests: a token cap, a step cut short, a failure; a planner stopped once it had the plan is not cut", () => {
    const mt = analyticalMetrics();
    const steps = [step({ id: "s1", status: "truncated" }), step({ id: "s2", status: "complete" })];
    const rows = waterfallFromMetrics(mt, steps, "stop").rows;
    expect(rows.map((r) => [r.role, r.stepId, r.cut])).toEqual([
      ["plan", null, null],
      ["step", "s1", "truncated"],
      ["step", "s2", "length"],
      ["synthesis", null, null],
    ]);
    const failed = waterfallFromMetrics({ ...mt, requests: [request({ role: "answer", finishReason: "error" })] }).rows;
    expect(failed[0]!.cut).toBe("failed");
  });

  it("says which stop cut a request: the user's or the deadline's, the planner's included", () => {
    const mt = analyticalMetrics({
      requests: [request({ role: "plan", finishReason: "aborted" }), request({ role: "step", stepId: "s1", startMs: 5, finishReason: "aborted" })],
    });
    expect(waterfallFromMetrics(mt, null, "stopped").rows.map((r) => r.cut)).toEqual(["stopped", "stopped"]);
    expect(waterfallFromMetrics(mt, null, "deadline").rows.map((r) => r.cut)).toEqual(["deadline", "deadline"]);
    expect(waterfallFromMetrics(mt, null, "stop").rows.map((r) => r.cut)).toEqual([null, "stopped"]);
  });

  it("numbers a role's or a step's later requests as retries", () => {
    const mt = analyticalMetrics({
      retries: 1,
      requests: [
        request({ role: "step", stepId: "s1", startMs: 10, endMs: 20, finishReason: "error" }),
        request({ role: "step", stepId: "s2", startMs: 12, endMs: 30 }),
        request({ role: "step", stepId: "s1", startMs: 40, endMs: 90 }),
      ],
    });
    const w = waterfallFromMetrics(mt);
    expect(w.rows.map((r) => [r.stepId, r.retry, r.cut])).toEqual([
      ["s1", 0, "failed"],
      ["s2", 0, null],
      ["s1", 1, null],
    ]);
    expect(new Set(w.rows.map((r) => r.key)).size).toBe(3);
    expect(w.retries).toBe(1);
  });

  it("draws a run stored before requests were measured from its steps, and its answer after them", () => {
    const { requests: _r, ...old } = analyticalMetrics();
    const w = waterfallFromMetrics(old);
    expect(w.source).toBe("steps");
    expect(shape(w.rows)).toEqual([
      ["step", "s1", 386, 441, 2730],
      ["step", "s2", 400, 460, 3000],
      ["synthesis", null, 3000, null, 5488],
    ]);
    // what is left of the run's tokens once the steps' and the plan's are taken out
    expect(w.rows[2]!.completionTokens).toBe(282 - 180 - 86);
    const single = waterfallFromMetrics({ ...old, steps: [], planningTokens: 0 });
    expect(shape(single.rows)).toEqual([["answer", null, 78, 441, 5488]]);
  });

  it("has no rows for a cache hit", () => {
    const w = waterfallFromMetrics(analyticalMetrics({ cacheHit: true, requests: [], steps: [] }));
    expect(w).toMatchObject({ rows: [], cacheHit: true });
  });
});

describe("waterfallFromLive", () => {
  // the page's clock runs 5 s ahead of the server's
  const SKEW = 5000;
  const t0 = 2_000_000 + SKEW; // run.started on the page's clock
  const server = (ms: number) => 2_000_000 + ms;
  const streaming = (over: Partial<UiMessage>): UiMessage => ({
    ...blankAnswer,
    status: "streaming",
    finishReason: null,
    taskType: "analytical",
    live: { sentAt: t0 - 20, startedAt: t0, firstTokenAt: null, lastTokenAt: null, tokens: 0 },
    ...over,
  });

  it("places steps from the server's clock on the run's time scale, exactly once a step's first token arrived", () => {
    const m = streaming({
      progress: { phase: "step", label: "Step 1", step: null },
      steps: [
        step({ id: "s1", status: "running", startedAt: server(400), firstTokenAt: server(450) }),
        step({ id: "s2", status: "running", startedAt: server(420), firstTokenAt: server(500) }),
        step({ id: "s3", status: "pending" }),
      ],
      live: { sentAt: t0 - 20, startedAt: t0, firstTokenAt: t0 + 450, lastTokenAt: t0 + 900, tokens: 12 },
    });
    // a wrong guess of the offset is ignored once the tokens tell it
    const w = waterfallFromLive(m, t0 + 1000, { ...EMPTY_CLOCK, runId: "r1", offsetMs: 123 })!;
    expect(w.source).toBe("live");
    expect(shape(w.rows)).toEqual([
      ["plan", null, 0, null, 400],
      ["step", "s1", 400, 450, 1000],
      ["step", "s2", 420, 500, 1000],
    ]);
    expect(w.rows.filter((r) => r.role === "step").every((r) => r.running)).toBe(true);
    expect(w.waiting).toBe(1);
    expect(w.retries).toBeNull();
  });

  it("grows the running rows with time and ends the finished ones at their duration", () => {
    const m = streaming({
      progress: { phase: "step", label: "Step 2", step: null },
      steps: [
        step({ id: "s1", status: "complete", startedAt: server(400), firstTokenAt: server(450), durationMs: 1000, completionTokens: 41 }),
        step({ id: "s2", status: "running", startedAt: server(1400), firstTokenAt: server(1450) }),
      ],
      live: { sentAt: t0 - 20, startedAt: t0, firstTokenAt: t0 + 450, lastTokenAt: t0 + 1500, tokens: 45 },
    });
    const early = waterfallFromLive(m, t0 + 2000, EMPTY_CLOCK)!;
    const later = waterfallFromLive(m, t0 + 3000, EMPTY_CLOCK)!;
    const s2 = (w: typeof early) => w.rows.find((r) => r.stepId === "s2")!;
    expect(s2(early).endMs).toBe(2000);
    expect(s2(later).endMs).toBe(3000);
    const s1 = later.rows.find((r) => r.stepId === "s1")!;
    expect(s1).toMatchObject({ endMs: 1400, completionTokens: 41, running: false });
    // 40 tokens after the first, decoded between 450 and 1400 ms
    expect(s1.tokensPerSecond).toBeCloseTo(40 / 0.95);
    expect(later.spanMs).toBe(3000);
  });

  it("uses what the page saw for the hidden phases: planning, the plan's end, the synthesis and its first text", () => {
    const clock: LiveClock = {
      runId: "r1",
      offsetMs: SKEW,
      marks: { planning: t0 + 60, planned: t0 + 520, synthesizing: t0 + 3000, text: t0 + 3040 },
      last: null,
    };
    const m = streaming({
      content: "Synthesis: ",
      progress: { phase: "synthesizing", label: "Writing", step: null },
      steps: [step({ id: "s1", status: "complete", startedAt: server(400), firstTokenAt: server(450), durationMs: 2500, completionTokens: 90 })],
      live: { sentAt: t0 - 20, startedAt: t0, firstTokenAt: t0 + 450, lastTokenAt: t0 + 3100, tokens: 95 },
    });
    const w = waterfallFromLive(m, t0 + 3200, clock)!;
    expect(shape(w.rows)).toEqual([
      ["plan", null, 60, null, 520],
      ["step", "s1", 400, 450, 2900],
      ["synthesis", null, 3000, 3040, 3200],
    ]);
    expect(w.rows.at(-1)!.running).toBe(true);
  });

  it("shows the plan running while the planner writes, before any step", () => {
    const m = streaming({ progress: { phase: "planning", label: "Planning", step: null }, planning: true });
    const w = waterfallFromLive(m, t0 + 300, EMPTY_CLOCK)!;
    expect(w.rows.map((r) => [r.role, r.startMs, r.endMs, r.running])).toEqual([["plan", 0, 300, true]]);
  });

  it("shows a classification by the model while it lasts, and not a rule's instant one", () => {
    const m = streaming({ taskType: null, progress: { phase: "classifying", label: "Sorting", step: null } });
    expect(waterfallFromLive(m, t0 + 200, EMPTY_CLOCK)!.rows.map((r) => [r.role, r.endMs])).toEqual([["classify", 200]]);
    const quick: LiveClock = { ...EMPTY_CLOCK, runId: "r1", marks: { classifying: t0 + 1, recalling_memory: t0 + 2, generating: t0 + 10 } };
    const single = streaming({ taskType: "conversational", progress: { phase: "generating", label: "Writing", step: null } });
    expect(waterfallFromLive(single, t0 + 200, quick)!.rows.map((r) => r.role)).toEqual(["answer"]);
  });

  it("gives a single answer its row from the live timings: first token, tokens, the stream's rate", () => {
    const m = streaming({
      taskType: "conversational",
      content: "You said",
      progress: { phase: "generating", label: "Writing", step: null },
      live: { sentAt: t0 - 20, startedAt: t0, firstTokenAt: t0 + 300, lastTokenAt: t0 + 1300, tokens: 11 },
    });
    const [answer] = waterfallFromLive(m, t0 + 1400, EMPTY_CLOCK)!.rows;
    expect(answer).toMatchObject({ role: "answer", startMs: 0, firstTokenMs: 300, endMs: 1400, completionTokens: 11, tokensPerSecond: 10, running: true });
  });

  it("marks the row that retried before its first token", () => {
    const m = streaming({ taskType: "conversational", progress: { phase: "generating", label: "Writing", step: null } });
    const clock: LiveClock = { ...EMPTY_CLOCK, runId: "r1", marks: { retrying: t0 + 100, generating: t0 + 900 } };
    expect(waterfallFromLive(m, t0 + 1000, clock)!.rows.map((r) => [r.role, r.retry, r.startMs])).toEqual([["answer", 1, 900]]);
  });
});

describe("messageWaterfall", () => {
  it("uses the stored metrics once the run ended, so a reload draws the same rows", () => {
    const m: UiMessage = { ...blankAnswer, metrics: analyticalMetrics(), live: null };
    const reloaded = messageWaterfall(m, 1, EMPTY_CLOCK);
    const live = messageWaterfall({ ...m, live: { sentAt: 0, startedAt: 0, firstTokenAt: 1, lastTokenAt: 2, tokens: 3 } }, 99, EMPTY_CLOCK);
    expect(reloaded).toEqual(live);
    expect(reloaded!.source).toBe("requests");
  });

  it("ignores what the page saw of another run", () => {
    const m: UiMessage = {
      ...blankAnswer,
      status: "streaming",
      taskType: "conversational",
      progress: { phase: "generating", label: "", step: null },
      live: { sentAt: null, startedAt: 1000, firstTokenAt: null, lastTokenAt: null, tokens: 0 },
    };
    const other: LiveClock = { ...EMPTY_CLOCK, runId: "other", marks: { generating: 1500 } };
    expect(messageWaterfall(m, 2000, other)!.rows[0]!.startMs).toBe(0);
    expect(messageWaterfall({ ...m, role: "user" }, 2000, other)).toBeNull();
  });
});

describe("timeTicks", () => {
  it("gives round ticks from 0 to at or past the span", () => {
    expect(timeTicks(5490)).toEqual([0, 2000, 4000, 6000]);
    expect(timeTicks(1000)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(timeTicks(740)).toEqual([0, 200, 400, 600, 800]);
    expect(timeTicks(0)).toEqual([0, 20, 40, 60, 80, 100]);
    for (const span of [37, 999, 1234, 61_000]) {
      const t = timeTicks(span);
      expect(t[0]).toBe(0);
      expect(t.at(-1)!).toBeGreaterThanOrEqual(span);
      expect(t.length).toBeLessThanOrEqual(7);
      expect(new Set(t).size).toBe(t.length);
    }
  });
});
