import { describe, expect, it } from "vitest";
import { backoffDelay, defaultBackoffOptions } from "./backoff-delay.js";

describe("backoffDelay", () => {
  const options = { ...defaultBackoffOptions, initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 0.5 };
  const full = () => 1;

  it("grows exponentially and caps at maxDelayMs", () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, options, full))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("takes off at most the jitter share: random 0 is the shortest delay, 1 the full one", () => {
    expect(backoffDelay(3, options, () => 0)).toBe(200);
    expect(backoffDelay(3, options, () => 0.5)).toBe(300);
    expect(backoffDelay(3, options, full)).toBe(400);
    expect(backoffDelay(3, { ...options, jitter: 0 }, () => 0)).toBe(400);
  });

  it("stays within [(1 - jitter)·capped, capped] for any random value", () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      for (const r of [0, 0.01, 0.3, 0.77, 0.999]) {
        const capped = Math.min(1000, 100 * 2 ** (attempt - 1));
        const delay = backoffDelay(attempt, options, () => r);
        expect(delay).toBeGreaterThanOrEqual(Math.round(capped / 2));
        expect(delay).toBeLessThanOrEqual(capped);
      }
    }
  });

  it("treats attempt 0 as the first retry and clamps a jitter outside 0..1", () => {
    expect(backoffDelay(0, options, full)).toBe(100);
    expect(backoffDelay(1, { ...options, jitter: 7 }, () => 0)).toBe(0);
    expect(backoffDelay(1, { ...options, jitter: -1 }, () => 0)).toBe(100);
  });
});
