import { describe, expect, it } from "vitest";
import { backoffDelay, defaultBackoffOptions } from "./backoff.js";

describe("backoffDelay", () => {
  const options = { ...defaultBackoffOptions, initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 0.5 };

  it("grows exponentially and caps at maxDelayMs without jitter", () => {
    const noJitter = () => 0;
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, options, noJitter))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("removes at most the jitter share of the delay", () => {
    expect(backoffDelay(3, options, () => 1)).toBe(200);
    expect(backoffDelay(3, options, () => 0.5)).toBe(300);
  });
});
