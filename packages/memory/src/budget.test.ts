import { describe, expect, it } from "vitest";
import { computeBudget, DEFAULT_CONTEXT_WINDOW, defaultSafetyMargin, shrinkBudget } from "./budget.js";

describe("computeBudget", () => {
  it("is the window minus the output budget minus the safety margin", () => {
    expect(computeBudget({ contextWindow: 2048, outputBudget: 256, safetyMargin: 32 })).toEqual({
      contextWindow: 2048,
      outputBudget: 256,
      safetyMargin: 32,
      promptBudget: 1760,
    });
  });

  it("defaults the margin to 2% of the window (at least 16) and the window when none is known", () => {
    expect(defaultSafetyMargin(100_000)).toBe(2000);
    expect(defaultSafetyMargin(500)).toBe(16);
    const b = computeBudget({ contextWindow: null, outputBudget: 1000 });
    expect(b).toMatchObject({
      contextWindow: DEFAULT_CONTEXT_WINDOW,
      promptBudget: DEFAULT_CONTEXT_WINDOW - 1000 - defaultSafetyMargin(DEFAULT_CONTEXT_WINDOW),
    });
  });

  it("says what to change when nothing is left for the prompt, and rejects invalid input", () => {
    expect(() => computeBudget({ contextWindow: 1000, outputBudget: 990 })).toThrow(/lower the output budget or raise the context window/);
    expect(() => computeBudget({ contextWindow: 1000, outputBudget: -1 })).toThrow(/invalid budget \(outputBudget/);
  });
});

describe("shrinkBudget", () => {
  it("shrinks only the prompt budget by 0.75 per attempt and leaves attempt 0 alone", () => {
    const b = computeBudget({ contextWindow: 2048, outputBudget: 256, safetyMargin: 32 });
    expect(shrinkBudget(b, 0)).toBe(b);
    expect(shrinkBudget(b, 1)).toEqual({ ...b, promptBudget: 1320 });
    expect(shrinkBudget(b, 2).promptBudget).toBe(990);
    expect(() => shrinkBudget(b, 1.5)).toThrow(RangeError);
  });
});
