import { describe, expect, it } from "vitest";
import type { RunEvent } from "@alma/protocol";
import { assembleRunText } from "./assemble-run-text.js";

const base = (index: number) => ({ runId: "r1", index, at: index });
const token = (index: number, seq: number, text: string, stepId: string | null): RunEvent => ({
  type: "run.token",
  ...base(index),
  seq,
  text,
  agent: stepId ? "researcher" : "manager",
  stepId,
});

describe("assembleRunText", () => {
  it("separates step text from the synthesis by stepId, in plan order", () => {
    const events: RunEvent[] = [
      {
        type: "run.plan",
        ...base(0),
        steps: [
          { id: "s1", title: "Find facts", agent: "researcher", dependsOn: [] },
          { id: "s2", title: "Compare", agent: "analyst", dependsOn: ["s1"] },
        ],
      },
      { type: "run.step.started", ...base(1), stepId: "s1", title: "Find facts", agent: "researcher" },
      token(2, 0, "fact ", "s1"),
      token(3, 1, "one", "s1"),
      { type: "run.step.completed", ...base(4), stepId: "s1", status: "complete", finishReason: "stop", note: null, completionTokens: 2, durationMs: 5 },
      token(5, 2, "So: ", null),
      token(6, 3, "yes", null),
    ];
    const run = assembleRunText(events);
    expect(run.answer).toBe("So: yes");
    expect(run.steps.map((s) => [s.stepId, s.title, s.text, s.status])).toEqual([
      ["s1", "Find facts", "fact one", "complete"],
      ["s2", "Compare", "", "planned"],
    ]);
    expect(run.tokenCount).toBe(4);
    expect(run.problems).toEqual([]);
  });

  it("reports a gap and a repeat in seq", () => {
    const run = assembleRunText([token(0, 0, "a", null), token(1, 2, "c", null), token(2, 2, "c", null)]);
    expect(run.problems).toEqual(["token seq jumped from 0 to 2: 1 token(s) missing", "token seq 2 repeated (expected 3)"]);
  });
});
