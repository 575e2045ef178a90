import { describe, expect, it } from "vitest";
import type { ProgressPhase } from "@alma/protocol";
import type { UiMessage } from "./ui-message";
import { EMPTY_CLOCK, observeRun } from "./waterfall-clock";
import { blankAnswer, step } from "./metrics-fixtures.test-helpers";

const at = (phase: ProgressPhase | null, over: Partial<UiMessage> = {}): UiMessage => ({
  ...blankAnswer,
  status: "streaming",
  progress: phase ? { phase, label: phase, step: null } : null,
  live: { sentAt: null, startedAt: 10_000, firstTokenAt: null, lastTokenAt: null, tokens: 0 },
  ...over,
});

describe("observeRun", () => {
  it("notes only the changes it saw happen, each the first time", () => {
    let c = observeRun(EMPTY_CLOCK, at("recalling_memory"), 100);
    // the first look cannot tell when the current phase began
    expect(c.marks).toEqual({});
    c = observeRun(c, at("planning"), 160);
    c = observeRun(c, at("planning", { planning: true }), 200);
    c = observeRun(c, at("step", { planning: true }), 400);
    c = observeRun(c, at("step", { planning: false }), 520);
    c = observeRun(c, at("synthesizing"), 3000);
    c = observeRun(c, at("synthesizing", { content: "S" }), 3040);
    c = observeRun(c, at("step"), 3100);
    expect(c.marks).toEqual({ planning: 160, step: 400, planned: 520, synthesizing: 3000, text: 3040 });
  });

  it("bounds the page's clock minus the server's by the newest step event it saw, keeping the smallest", () => {
    const s = (startedAt: number, firstTokenAt: number | null = null) => [step({ id: "s1", status: "running", startedAt, firstTokenAt })];
    let c = observeRun(EMPTY_CLOCK, at("step", { steps: s(1000) }), 6030);
    expect(c.offsetMs).toBe(5030);
    c = observeRun(c, at("step", { steps: s(1000, 1100) }), 6110);
    expect(c.offsetMs).toBe(5010);
    const same = observeRun(c, at("step", { steps: s(1000, 1100) }), 9000);
    expect(same).toBe(c);
  });

  it("starts afresh for another run and leaves an ended one as it was", () => {
    const c = observeRun(observeRun(EMPTY_CLOCK, at("planning"), 1), at("step"), 2);
    // the phase left planning with no plan still coming: the planner is done
    expect(c.marks).toEqual({ step: 2, planned: 2 });
    const other = observeRun(c, at("generating", { runId: "r2" }), 3);
    expect(other).toMatchObject({ runId: "r2", marks: {}, offsetMs: null });
    expect(observeRun(c, { ...at("done"), status: "complete" }, 4)).toBe(c);
  });
});
