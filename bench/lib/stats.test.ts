import { describe, expect, it } from "vitest";
import { formatNumber, formatSummary, median, percentile, summarize } from "./stats.js";

describe("percentile", () => {
  it("takes the nearest rank of the sorted sample", () => {
    const values = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
  });
  it("is NaN for an empty sample, so a missing figure cannot pass for zero", () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe("median", () => {
  it("averages the middle pair of an even sample", () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([3, 1, 2])).toBe(2);
  });
});

describe("summarize and formatSummary", () => {
  it("reports the median and the range of the rounds", () => {
    const s = summarize([10, 30, 20]);
    expect(s).toEqual({ median: 20, min: 10, max: 30, rounds: 3 });
    expect(formatSummary(s, 1)).toBe("20.0 (10.0–30.0)");
  });
  it("prints a single round without a range, and thousands grouped", () => {
    expect(formatSummary(summarize([0.5]), 2)).toBe("0.50");
    expect(formatNumber(64_010.4)).toBe("64,010");
    expect(formatNumber(Number.NaN)).toBe("n/a");
  });
});
