import { describe, expect, it } from "vitest";
import { RollingWindow } from "./rolling-window.js";

describe("RollingWindow", () => {
  it("keeps the newest samples and answers nearest-rank percentiles", () => {
    const w = new RollingWindow(4);
    expect(w.percentile(50)).toBeNull();
    for (const v of [100, 1, 2, 3, 4]) w.push(v);
    expect(w.size).toBe(4);
    expect(w.percentile(50)).toBe(2);
    expect(w.percentile(95)).toBe(4);
    expect(w.mean()).toBe(2.5);
  });
});
