import { describe, expect, it } from "vitest";
import {
  formatAxisMs,
  formatAxisNumber,
  formatCount,
  formatDuration,
  formatMegabytes,
  formatPercentValue,
  formatSecondsAgo,
  formatShare,
  formatTokenRate,
  formatTokens,
  valueTicks,
} from "./metrics-format";

describe("metrics formatters", () => {
  it("formats durations for people", () => {
    expect([340.4, 1000, 1234, 9999, 12_400, 65_000, 119_700].map(formatDuration)).toEqual(["340 ms", "1 s", "1.2 s", "10 s", "12 s", "1 min 5 s", "2 min"]);
    expect(formatDuration(null)).toBe("–");
    expect(formatDuration(Number.NaN)).toBe("–");
  });

  it("formats counts, tokens and rates", () => {
    expect(formatCount(1234)).toBe("1,234");
    expect(formatCount(null)).toBe("–");
    expect(formatTokens(1)).toBe("1 token");
    expect(formatTokens(1234)).toBe("1,234 tokens");
    expect(formatTokenRate(38.4)).toBe("38 tok/s");
    expect(formatTokenRate(4.46)).toBe("4.5 tok/s");
    expect(formatTokenRate(1234.4)).toBe("1,234 tok/s");
    expect(formatTokenRate(null)).toBe("–");
  });

  it("formats shares, percents and memory", () => {
    expect(formatShare(0.42)).toBe("42%");
    expect(formatShare(0.0186)).toBe("1.9%");
    expect(formatShare(0)).toBe("0%");
    expect(formatShare(null)).toBe("–");
    expect(formatPercentValue(12.3)).toBe("12%");
    expect(formatPercentValue(0.5)).toBe("0.5%");
    expect(formatMegabytes(84.2)).toBe("84 MB");
    expect(formatMegabytes(1536)).toBe("1.5 GB");
  });

  it("labels time axes with one unit per axis, so ticks never repeat", () => {
    const ticks = (values: number[], span: number) => values.map((v) => formatAxisMs(v, span));
    expect(ticks([0, 200, 400, 600], 800)).toEqual(["0", "200 ms", "400 ms", "600 ms"]);
    expect(ticks([0, 500, 1000, 1500, 2000, 2500], 2500)).toEqual(["0", "0.5 s", "1 s", "1.5 s", "2 s", "2.5 s"]);
    expect(ticks([0, 250, 500, 750, 1000, 1250], 1250)).toEqual(["0", "0.25 s", "0.5 s", "0.75 s", "1 s", "1.25 s"]);
    expect(ticks([0, 5000, 10_000, 15_000], 15_000)).toEqual(["0", "5 s", "10 s", "15 s"]);
    expect([0, 0.05, 0.15, 0.25, 1.25, 12.5, 250, 1500].map(formatAxisNumber)).toEqual(["0", "0.05", "0.15", "0.25", "1.25", "12.5", "250", "1,500"]);
    expect([0, -0.4, -30, -59, -120, -90].map(formatSecondsAgo)).toEqual(["now", "now", "−30 s", "−59 s", "−2 min", "−90 s"]);
  });

  it("gives a value axis even ticks from 0 to at or above the largest value, whole ones for counts", () => {
    expect(valueTicks(90.9, false)).toEqual([0, 25, 50, 75, 100]);
    expect(valueTicks(1299, false)).toEqual([0, 500, 1000, 1500]);
    expect(valueTicks(176, false)).toEqual([0, 50, 100, 150, 200]);
    expect(valueTicks(4.45, false)).toEqual([0, 2, 4, 6]);
    expect(valueTicks(0.6, false)).toEqual([0, 0.2, 0.4, 0.6]);
    expect(valueTicks(0, false)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(valueTicks(0, true)).toEqual([0, 1]);
    expect(valueTicks(1, true)).toEqual([0, 1]);
    expect(valueTicks(3, true)).toEqual([0, 1, 2, 3]);
    expect(valueTicks(7, true)).toEqual([0, 2, 4, 6, 8]);
    expect(valueTicks(2059, true)).toEqual([0, 1000, 2000, 3000]);
    for (const [max, integer] of [
      [0.03, false],
      [12.5, false],
      [99, true],
      [100, false],
      [37_000, true],
    ] as const) {
      const t = valueTicks(max, integer);
      expect(t[0]).toBe(0);
      expect(t.at(-1)!).toBeGreaterThanOrEqual(max);
      expect(t.length).toBeLessThanOrEqual(5);
      const steps = t.slice(1).map((v, i) => v - t[i]!);
      expect(steps.every((d) => Math.abs(d - steps[0]!) < 1e-9)).toBe(true);
      if (integer) expect(t.every(Number.isInteger)).toBe(true);
      expect(new Set(t.map(formatAxisNumber)).size).toBe(t.length);
    }
  });
});
