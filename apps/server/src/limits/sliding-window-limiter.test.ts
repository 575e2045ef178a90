import { describe, expect, it } from "vitest";
import { SlidingWindowLimiter } from "./sliding-window-limiter.js";

describe("SlidingWindowLimiter", () => {
  it("allows `limit` hits per window per key and says when to retry", () => {
    let t = 0;
    const l = new SlidingWindowLimiter(2, 1000, () => t);
    expect(l.take("a")).toBe(0);
    t = 100;
    expect(l.take("a")).toBe(0);
    expect(l.take("a")).toBe(900);
    expect(l.take("b")).toBe(0);
    t = 1001;
    expect(l.take("a")).toBe(0);
    expect(l.take("a")).toBe(99);
  });
});
