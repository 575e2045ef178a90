import { describe, expect, it } from "vitest";
import type { UiMessage } from "./chat-state";
import { answerFigures } from "./answer-figures";

const base: UiMessage = {
  id: "a1", role: "assistant", content: "x", status: "streaming", pending: false, clientMessageId: null, runId: "r1", taskType: null, pinned: false,
  steps: null, progress: null, finishReason: null, usage: null, metrics: null, cacheHit: false, error: null, createdAt: 0,
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
          receivedAt: 0, requestBuiltMs: 1, upstreamStartedMs: 2, firstTokenMs: 42, lastTokenMs: 90, totalMs: 95, tokensPerSecond: 120, promptTokens: 30, completionTokens: 7,
          cacheHit: true, retries: 1, provider: "p", model: "m",
          steps: [{ stepId: "s1", title: "Gather", startMs: 5, firstTokenMs: 9, endMs: 40, completionTokens: 3, finishReason: "stop" }],
          context: null,
        },
      },
      9999,
      null,
    );
    expect(f).toMatchObject({ live: false, ttftMs: 42, totalMs: 95, tokensPerSecond: 120, promptTokens: 30, completionTokens: 7, cacheHit: true, retries: 1 });
    expect(f.steps).toEqual([{ id: "s1", title: "Gather", startMs: 5, firstTokenMs: 9, endMs: 40 }]);
  });
});
