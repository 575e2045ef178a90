import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { MIN_CONTEXT_SHARE, outputRoom, overheadTokensFor, planRunShape, TIME_SAFETY, type RunShapeInput } from "./plan-run-shape.js";

const base: RunShapeInput = {
  remainingMs: 60_000,
  speed: { ttftMs: 400, tokensPerSecond: 40 },
  window: 32_768,
  margin: 656,
  taskTokens: 20,
  desired: { step: 500, synthesis: 1200, single: 1000 },
  minSteps: 2,
  maxSteps: 4,
  concurrency: 3,
  plan: true,
};

describe("planRunShape", () => {
  it("plans for a fast model, answers a slow one in one pass and says why", () => {
    const fast = planRunShape(base);
    expect(fast.mode).toBe("plan");
    const slow = planRunShape({ ...base, speed: { ttftMs: 400, tokensPerSecond: 5 } });
    expect(slow).toMatchObject({ mode: "single", reason: "slow" });
    // the one pass is sized to end inside the time left at that pace
    expect(slow.estimatedMs).toBeLessThanOrEqual(60_000 * TIME_SAFETY);
    expect(planRunShape({ ...base, plan: false })).toMatchObject({ mode: "single", reason: "route", maxTokens: 1000 });
  });

  it("at 12 tokens/s plans fewer, shorter steps whose critical path ends inside the deadline", () => {
    const s = planRunShape({ ...base, speed: { ttftMs: 400, tokensPerSecond: 12 } });
    expect(s.mode).toBe("plan");
    if (s.mode !== "plan") return;
    expect(s.steps).toBeGreaterThanOrEqual(2);
    expect(s.stepTokens).toBeLessThan(500);
    expect(s.synthesisTokens).toBeLessThan(1200);
    expect(s.estimatedMs).toBeLessThanOrEqual(60_000 * TIME_SAFETY);
  });

  it("a 2,048-token window gets a whole, smaller plan instead of an error; a tiny one gets one pass", () => {
    const s = planRunShape({ ...base, window: 2048, margin: 41 });
    expect(s.mode).toBe("plan");
    if (s.mode === "plan") expect(s.reserve + Math.floor((2048 - 41) * MIN_CONTEXT_SHARE)).toBeLessThanOrEqual(2048 - 41);
    expect(planRunShape({ ...base, window: 512, margin: 16 })).toMatchObject({ mode: "single", reason: "window" });
  });

  it("never gives a negative budget, never takes the conversation's share of the window, never plans past the time (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 120_000 }),
        fc.double({ min: 0.5, max: 500, noNaN: true }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 256, max: 200_000 }),
        fc.integer({ min: 1, max: 2_000 }),
        fc.integer({ min: 1, max: 8 }),
        fc.boolean(),
        (remainingMs, tps, ttftMs, window, taskTokens, concurrency, plan) => {
          const margin = Math.max(16, Math.ceil(window * 0.02));
          const s = planRunShape({ ...base, remainingMs, speed: { ttftMs, tokensPerSecond: tps }, window, margin, taskTokens, concurrency, plan });
          expect(s.reserve).toBeGreaterThanOrEqual(0);
          if (s.mode === "single") {
            expect(s.maxTokens).toBeGreaterThan(0);
            expect(s.maxTokens).toBeLessThanOrEqual(base.desired.single);
            return;
          }
          expect(s.stepTokens).toBeGreaterThan(0);
          expect(s.synthesisTokens).toBeGreaterThan(0);
          expect(s.steps).toBeGreaterThanOrEqual(2);
          expect(s.reserve).toBeLessThanOrEqual(Math.floor((window - margin) * (1 - MIN_CONTEXT_SHARE)));
          expect(s.steps * s.stepTokens + s.synthesisTokens + overheadTokensFor(taskTokens, s.steps)).toBeLessThanOrEqual(window - margin);
          expect(s.estimatedMs).toBeLessThanOrEqual(remainingMs * TIME_SAFETY + 1);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe("outputRoom", () => {
  it("is what the window leaves after the prompt, at most the budget, never negative (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200_000 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 0, max: 250_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        (window, margin, promptTokens, budget) => {
          const room = outputRoom({ window, margin, promptTokens, budget });
          expect(room).toBeGreaterThanOrEqual(0);
          expect(room).toBeLessThanOrEqual(budget);
          if (room > 0) expect(promptTokens + room).toBeLessThanOrEqual(window - margin);
        },
      ),
    );
  });
});
