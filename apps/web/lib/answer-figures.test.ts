import { describe, expect, it } from "vitest";
import type { RequestMetrics, RunMetrics } from "@alma/protocol";
import type { UiMessage } from "./chat-state";
import { answerFigures } from "./answer-figures";

const base: UiMessage = {
  id: "a1",
  role: "assistant",
  content: "x",
  status: "streaming",
  pending: false,
  clientMessageId: null,
  runId: "r1",
  taskType: null,
  pinned: false,
  steps: null,
  planning: false,
  progress: null,
  finishReason: null,
  usage: null,
  metrics: null,
  cacheHit: false,
  error: null,
  createdAt: 0,
  attachments: [],
  live: { sentAt: 1000, startedAt: 1100, firstTokenAt: 1300, lastTokenAt: 2300, tokens: 11 },
};

describe("answerFigures", () => {
  it("estimates live figures from the browser's own timings while streaming", () => {
    const f = answerFigures(base, 2500, null);
    expect(f).toMatchObject({ live: true, ttftMs: 300, totalMs: 1500, completionTokens: 11 });
    expect(f.tokensPerSecond).toBeCloseTo(10);
  });

  it("uses the server's measurements once the run completed", () => {
    const f = answerFigures(
      {
        ...base,
        status: "complete",
        metrics: {
          receivedAt: 0,
          requestBuiltMs: 1,
          upstreamStartedMs: 2,
          firstTokenMs: 42,
          lastTokenMs: 90,
          totalMs: 95,
          tokensPerSecond: 120,
          promptTokens: 30,
          completionTokens: 7,
          cacheHit: false,
          retries: 1,
          provider: "p",
          model: "m",
          steps: [{ stepId: "s1", title: "Gather", startMs: 5, firstTokenMs: 9, endMs: 40, completionTokens: 3, finishReason: "stop" }],
          context: null,
        },
      },
      9999,
      null,
    );
    expect(f).toMatchObject({ live: false, ttftMs: 42, totalMs: 95, tokensPerSecond: 120, promptTokens: 30, completionTokens: 7, cacheHit: false, retries: 1 });
    expect(f).toMatchObject({ rateKind: "model", rateRequests: null, provider: "p", model: "m" });
    expect(f.steps).toEqual([{ id: "s1", title: "Gather", startMs: 5, firstTokenMs: 9, endMs: 40, completionTokens: 3, tokensPerSecond: null }]);
    expect(f).toMatchObject({ planningTokens: null, classificationTokens: null });
  });

  it("measures the live rate like the server does for one stream: tokens after the first over first to last", () => {
    // 11 tokens between 1300 and 2300 ms: 10 decoded in 1 s
    expect(answerFigures(base, 2500, null).tokensPerSecond).toBe(10);
    const one = { ...base, live: { ...base.live!, lastTokenAt: 1300, tokens: 1 } };
    expect(answerFigures(one, 2500, null).tokensPerSecond).toBeNull();
    const none = { ...base, live: { ...base.live!, firstTokenAt: null, lastTokenAt: null, tokens: 0 } };
    expect(answerFigures(none, 2500, null)).toMatchObject({ tokensPerSecond: null, ttftMs: null, planningTokens: null });
  });

  describe("with every model request of the run", () => {
    const request = (r: Partial<RequestMetrics> & Pick<RequestMetrics, "role">): RequestMetrics => ({
      stepId: null,
      agent: "manager",
      startMs: 0,
      firstTokenMs: 10,
      endMs: 100,
      promptTokens: 50,
      completionTokens: 10,
      tokensPerSecond: 100,
      maxTokens: 256,
      finishReason: "stop",
      ...r,
    });
    const metrics: RunMetrics = {
      receivedAt: 0,
      requestBuiltMs: 1,
      upstreamStartedMs: 2,
      firstTokenMs: 400,
      lastTokenMs: 900,
      totalMs: 950,
      // the server's decode rate over all requests, hidden ones included: not the visible tokens over the run's span
      tokensPerSecond: 80,
      promptTokens: 300,
      completionTokens: 60,
      cacheHit: false,
      retries: 0,
      provider: "p",
      model: "m",
      steps: [
        { stepId: "s1", title: "Gather", startMs: 200, firstTokenMs: 250, endMs: 500, completionTokens: 20, finishReason: "stop", tokensPerSecond: 76 },
        { stepId: "s2", title: "Compare", startMs: 200, firstTokenMs: 260, endMs: 600, completionTokens: 20, finishReason: "stop" },
      ],
      requests: [
        request({ role: "classify", completionTokens: 4 }),
        request({ role: "plan", startMs: 20, endMs: 190, completionTokens: 30 }),
        request({ role: "step", stepId: "s1", agent: "researcher", startMs: 200, endMs: 500, completionTokens: 20, tokensPerSecond: 76 }),
        request({ role: "step", stepId: "s2", agent: "researcher", startMs: 200, endMs: 600, completionTokens: 20, tokensPerSecond: 55.5 }),
        request({ role: "synthesis", startMs: 610, endMs: 950, completionTokens: 20 }),
      ],
      planningTokens: 30,
      classificationTokens: 4,
      context: null,
    };
    const done: UiMessage = { ...base, status: "complete", metrics };

    it("shows the server's planning and classification tokens and its run rate, not the browser's", () => {
      const f = answerFigures(done, 9999, null);
      expect(f).toMatchObject({ live: false, tokensPerSecond: 80, completionTokens: 60, planningTokens: 30, classificationTokens: 4 });
    });

    it("gives each step its own rate, from the step or else from its request", () => {
      const f = answerFigures(done, 9999, null);
      expect(f.steps.map((s) => [s.id, s.tokensPerSecond, s.completionTokens])).toEqual([
        ["s1", 76, 20],
        ["s2", 55.5, 20],
      ]);
    });

    it("sums hidden work from the requests when the run does not give the totals", () => {
      const { planningTokens: _p, classificationTokens: _c, ...older } = metrics;
      const f = answerFigures({ ...done, metrics: older }, 9999, null);
      expect(f).toMatchObject({ planningTokens: 30, classificationTokens: 4 });
    });

    it("reports no hidden work for a run stored before requests existed", () => {
      const { planningTokens: _p, classificationTokens: _c, requests: _r, ...oldest } = metrics;
      const f = answerFigures({ ...done, metrics: oldest }, 9999, null);
      expect(f).toMatchObject({ planningTokens: null, classificationTokens: null });
      expect(f.steps[1]!.tokensPerSecond).toBeNull();
    });
  });

  describe("whose rate the tokens/s figure is", () => {
    const ended = (over: Partial<RunMetrics>): UiMessage => ({
      ...base,
      status: "complete",
      metrics: {
        receivedAt: 0,
        requestBuiltMs: 1,
        upstreamStartedMs: 2,
        firstTokenMs: 40,
        lastTokenMs: 90,
        totalMs: 95,
        tokensPerSecond: 52,
        promptTokens: 30,
        completionTokens: 70,
        cacheHit: false,
        retries: 0,
        provider: "openai",
        model: "gpt-4o",
        steps: [],
        context: null,
        ...over,
      },
    });

    it("is the model's decode rate across the requests it was taken over", () => {
      const requests: RequestMetrics[] = [
        {
          role: "plan",
          stepId: null,
          agent: "manager",
          startMs: 0,
          firstTokenMs: 5,
          endMs: 50,
          promptTokens: 1,
          completionTokens: 30,
          tokensPerSecond: 250,
          maxTokens: 99,
          finishReason: "stop",
        },
        {
          role: "step",
          stepId: "s1",
          agent: "a",
          startMs: 10,
          firstTokenMs: 15,
          endMs: 80,
          promptTokens: 1,
          completionTokens: 39,
          tokensPerSecond: 40,
          maxTokens: 99,
          finishReason: "stop",
        },
        {
          role: "step",
          stepId: "s2",
          agent: "a",
          startMs: 10,
          firstTokenMs: null,
          endMs: 12,
          promptTokens: 1,
          completionTokens: 0,
          tokensPerSecond: null,
          maxTokens: 99,
          finishReason: "error",
        },
      ];
      expect(answerFigures(ended({ requests }), 0, null)).toMatchObject({
        tokensPerSecond: 52,
        rateKind: "model",
        rateRequests: 2,
        model: "gpt-4o",
        provider: "openai",
      });
    });

    it("is none for a cache hit: its tokens were replayed, not decoded", () => {
      expect(answerFigures(ended({ cacheHit: true, tokensPerSecond: 900 }), 0, null)).toMatchObject({ tokensPerSecond: null, rateKind: "cache" });
    });

    it("is none while parallel steps stream: their tokens together are no model's rate", () => {
      const steps = [{ id: "s1", title: "A", agent: "a", dependsOn: [], text: "x", status: "running" as const, note: null, durationMs: null, tools: [] }];
      expect(answerFigures({ ...base, steps }, 2500, null)).toMatchObject({ live: true, tokensPerSecond: null, rateKind: "pending" });
      expect(answerFigures(base, 2500, null)).toMatchObject({ rateKind: "stream" });
    });
  });
});
