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
