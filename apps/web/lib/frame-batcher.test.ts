import { describe, expect, it } from "vitest";
import { createFrameBatcher, type Scheduler } from "./frame-batcher.js";

function manualScheduler() {
  const pending: (() => void)[] = [];
  const schedule: Scheduler = (cb) => {
    pending.push(cb);
    return () => {
      const i = pending.indexOf(cb);
      if (i >= 0) pending.splice(i, 1);
    };
  };
  const tick = () => {
    for (const cb of pending.splice(0)) cb();
  };
  return { schedule, pending, tick };
}

describe("createFrameBatcher", () => {
  it("replaces the last queued item with one that supersedes it, keeping the order of the rest", () => {
    const clock = manualScheduler();
    const batches: string[][] = [];
    const sameRun = (a: string, b: string) => a[0] === b[0];
    const b = createFrameBatcher<string>((items) => batches.push(items), clock.schedule, sameRun);
    for (const item of ["a1", "a2", "b1", "a3", "a4", "a5"]) b.push(item);
    clock.tick();
    expect(batches).toEqual([["a2", "b1", "a5"]]);
  });

  it("delivers everything pushed within one frame as one batch", () => {
    const clock = manualScheduler();
    const batches: number[][] = [];
    const b = createFrameBatcher<number>((items) => batches.push(items), clock.schedule);
    for (let i = 0; i < 100; i++) b.push(i);
    expect(batches).toHaveLength(0);
    expect(clock.pending).toHaveLength(1);
    clock.tick();
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(100);
    b.push(100);
    clock.tick();
    expect(batches.map((x) => x.length)).toEqual([100, 1]);
  });

  it("flush delivers at once and cancels the scheduled frame; an idle frame delivers nothing", () => {
    const clock = manualScheduler();
    const batches: string[][] = [];
    const b = createFrameBatcher<string>((items) => batches.push(items), clock.schedule);
    b.push("a");
    b.flush();
    expect(batches).toEqual([["a"]]);
    expect(clock.pending).toHaveLength(0);
    b.flush();
    expect(batches).toHaveLength(1);
  });

  it("dispose drops what is queued", () => {
    const clock = manualScheduler();
    const batches: string[][] = [];
    const b = createFrameBatcher<string>((items) => batches.push(items), clock.schedule);
    b.push("a");
    b.dispose();
    clock.tick();
    expect(batches).toHaveLength(0);
  });

  it("uses requestAnimationFrame by default", async () => {
    const batches: number[][] = [];
    const b = createFrameBatcher<number>((items) => batches.push(items));
    b.push(1);
    b.push(2);
    await new Promise((r) => requestAnimationFrame(() => r(null)));
    await new Promise((r) => setTimeout(r, 30));
    expect(batches).toEqual([[1, 2]]);
  });
});
