import { describe, expect, it } from "vitest";
import { runStepGraph } from "./run-step-graph.js";

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("runStepGraph", () => {
  it("runs independent steps together up to the bound and waits for dependencies", async () => {
    const log: string[] = [];
    let active = 0;
    let peak = 0;
    const steps = [
      { id: "a", dependsOn: [] },
      { id: "b", dependsOn: [] },
      { id: "c", dependsOn: [] },
      { id: "d", dependsOn: ["a", "b"] },
    ];
    const out = await runStepGraph(steps, {
      concurrency: 2,
      canStart: () => true,
      skip: () => "skipped",
      run: async (s) => {
        active++;
        peak = Math.max(peak, active);
        log.push(`start ${s.id}`);
        await tick(s.id === "a" ? 30 : 10);
        log.push(`end ${s.id}`);
        active--;
        return s.id.toUpperCase();
      },
    });
    expect(peak).toBe(2);
    expect([...out.entries()].sort()).toEqual([
      ["a", "A"],
      ["b", "B"],
      ["c", "C"],
      ["d", "D"],
    ]);
    expect(log.indexOf("start d")).toBeGreaterThan(log.indexOf("end a"));
    expect(log.indexOf("start d")).toBeGreaterThan(log.indexOf("end b"));
  });

  it("skips steps not started once canStart turns false", async () => {
    let open = true;
    const out = await runStepGraph(
      [
        { id: "a", dependsOn: [] },
        { id: "b", dependsOn: ["a"] },
      ],
      {
        concurrency: 1,
        canStart: () => open,
        skip: () => "skipped",
        run: async () => {
          open = false;
          return "ran";
        },
      },
    );
    expect(out.get("a")).toBe("ran");
    expect(out.get("b")).toBe("skipped");
  });

  it("ignores dependencies on unknown steps and resolves an empty plan", async () => {
    const out = await runStepGraph([{ id: "a", dependsOn: ["ghost"] }], { concurrency: 1, canStart: () => true, skip: () => 0, run: async () => 1 });
    expect(out.get("a")).toBe(1);
    expect((await runStepGraph([], { concurrency: 1, canStart: () => true, skip: () => 0, run: async () => 1 })).size).toBe(0);
  });
});

describe("runStepGraph with a bad graph", () => {
  it("breaks a dependency cycle in plan order instead of waiting forever", async () => {
    const order: string[] = [];
    const out = await runStepGraph(
      [
        { id: "a", dependsOn: ["b"] },
        { id: "b", dependsOn: ["a"] },
        { id: "c", dependsOn: ["b"] },
      ],
      {
        concurrency: 2,
        canStart: () => true,
        skip: () => "skipped",
        run: async (s) => {
          order.push(s.id);
          await tick(1);
          return s.id;
        },
      },
    );
    expect(order).toEqual(["a", "b", "c"]);
    expect([...out.keys()].sort()).toEqual(["a", "b", "c"]);
  });

  it("treats a concurrency below 1 as 1", async () => {
    const out = await runStepGraph([{ id: "a", dependsOn: [] }], { concurrency: 0, canStart: () => true, skip: () => 0, run: async () => 1 });
    expect(out.get("a")).toBe(1);
  });
});
