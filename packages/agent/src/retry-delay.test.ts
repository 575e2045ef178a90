import { describe, expect, it } from "vitest";
import { retryDelay } from "./retry-delay.js";

describe("retryDelay", () => {
  const opts = { baseMs: 100, maxMs: 1000 };
  it("doubles per attempt within the jitter range", () => {
    expect(retryDelay(1, null, { ...opts, random: () => 0 })).toBe(50);
    expect(retryDelay(1, null, { ...opts, random: () => 1 })).toBe(100);
    expect(retryDelay(3, null, { ...opts, random: () => 1 })).toBe(400);
  });
  it("caps the delay", () => expect(retryDelay(10, null, { ...opts, random: () => 1 })).toBe(1000));
  it("honours Retry-After when it is longer", () => {
    expect(retryDelay(1, 700, { ...opts, random: () => 1 })).toBe(700);
    expect(retryDelay(3, 10, { ...opts, random: () => 1 })).toBe(400);
  });
});

describe("retryDelay and the shared backoff", () => {
  it("is @alma/protocol's backoffDelay with factor 2 and half jitter, raised to Retry-After", async () => {
    const { backoffDelay } = await import("@alma/protocol");
    for (const attempt of [1, 2, 3, 4, 8]) {
      for (const r of [0, 0.25, 0.5, 0.9, 1]) {
        const shared = backoffDelay(attempt, { initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 0.5 }, () => r);
        expect(retryDelay(attempt, null, { baseMs: 100, maxMs: 1000, random: () => r })).toBe(shared);
        expect(retryDelay(attempt, 650, { baseMs: 100, maxMs: 1000, random: () => r })).toBe(Math.max(shared, 650));
      }
    }
  });
});
