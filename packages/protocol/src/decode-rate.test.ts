import { describe, expect, it } from "vitest";
import { combinedDecodeRate, decodeRate, decodeRateBetween } from "./decode-rate.js";

describe("decode rate", () => {
  it("counts the tokens after the first over the time between first and last", () => {
    expect(decodeRate(41, 1000)).toBe(40);
    expect(decodeRateBetween(11, 5000, 5500)).toBe(20);
    expect(decodeRate(1, 1000)).toBeNull();
    expect(decodeRate(10, 0)).toBeNull();
    expect(decodeRateBetween(10, null, 5)).toBeNull();
  });

  it("gives no rate for a request too short to measure (a 2-token review in one network read is not 170,000 tok/s)", () => {
    expect(decodeRate(2, 0.006)).toBeNull();
    expect(decodeRate(2, 500)).toBeNull();
    expect(decodeRate(50, 5)).toBeNull();
    expect(decodeRate(3, 20)).toBe(100);
  });

  it("combines requests by the time each decoded, so two parallel 20 tok/s steps read 20, not 40", () => {
    expect(
      combinedDecodeRate([
        { completionTokens: 21, tokensPerSecond: 20 },
        { completionTokens: 21, tokensPerSecond: 20 },
      ]),
    ).toBeCloseTo(20);
    // a 1-token classification and an unmeasured request do not dilute it
    expect(
      combinedDecodeRate([
        { completionTokens: 41, tokensPerSecond: 40 },
        { completionTokens: 1, tokensPerSecond: null },
      ]),
    ).toBeCloseTo(40);
    expect(combinedDecodeRate([])).toBeNull();
  });
});
