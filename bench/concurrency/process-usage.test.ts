import { describe, expect, it } from "vitest";
import { readProcessUsage, watchProcess } from "./process-usage.js";

describe("readProcessUsage", () => {
  it("reads this process's CPU time and resident memory from /proc", () => {
    const before = readProcessUsage(process.pid);
    let x = 0;
    for (let i = 0; i < 3e7; i++) x += i % 7;
    const after = readProcessUsage(process.pid);
    expect(x).toBeGreaterThan(0);
    expect(after.cpuMs).toBeGreaterThan(before.cpuMs);
    expect(after.rssBytes).toBeGreaterThan(10 * 2 ** 20);
  });
  it("watches a process for its peak RSS and CPU share", () => {
    const w = watchProcess(process.pid, 5);
    const r = w.stop();
    expect(r.peakRssBytes).toBeGreaterThanOrEqual(r.endRssBytes);
    expect(r.cpuPercent).toBeGreaterThanOrEqual(0);
  });
});
