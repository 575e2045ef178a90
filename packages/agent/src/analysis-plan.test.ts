import { describe, expect, it } from "vitest";
import { parsePlan } from "./analysis-plan.js";

describe("parsePlan", () => {
  it("reads a valid plan in fences", () => {
    const r = parsePlan(
      'Here:\n```json\n{"steps":[{"id":"s1","title":"A","instruction":"do a","dependsOn":[]},{"id":"s2","title":"B","instruction":"do b","dependsOn":["s1"]}]}\n```',
      2,
      5,
    );
    expect(r).toEqual({
      ok: true,
      plan: {
        steps: [
          { id: "s1", title: "A", instruction: "do a", dependsOn: [] },
          { id: "s2", title: "B", instruction: "do b", dependsOn: ["s1"] },
        ],
      },
    });
  });
  it("drops dependencies on unknown, later or self steps and renames duplicate ids", () => {
    const r = parsePlan(
      JSON.stringify({
        steps: [
          { id: "a", title: "A", instruction: "x", dependsOn: ["b", "a", "zz"] },
          { id: "b", title: "B", instruction: "y", dependsOn: ["a", "a"] },
          { id: "a", title: "C", instruction: "z", dependsOn: ["a"] },
        ],
      }),
      2,
      5,
    );
    if (!r.ok) throw new Error(r.problem);
    expect(r.plan.steps.map((s) => [s.id, s.dependsOn])).toEqual([
      ["a", []],
      ["b", ["a"]],
      ["s3_2", ["a"]],
    ]);
  });
  it("rejects prose, too few or too many steps, and missing fields with a readable problem", () => {
    expect(parsePlan("Once upon a time there was a cat.", 2, 5)).toEqual({ ok: false, problem: "the answer contained no JSON object" });
    const one = parsePlan('{"steps":[{"id":"s1","title":"A","instruction":"x"}]}', 2, 5);
    expect(one.ok).toBe(false);
    if (!one.ok) expect(one.problem).toMatch(/^steps: /);
    const six = parsePlan(JSON.stringify({ steps: Array.from({ length: 6 }, (_, i) => ({ id: `s${i}`, title: "t", instruction: "i" })) }), 2, 5);
    expect(six.ok).toBe(false);
    const missing = parsePlan('{"steps":[{"id":"s1"},{"id":"s2"}]}', 2, 5);
    if (missing.ok) throw new Error("should fail");
    expect(missing.problem).toMatch(/steps\.0\.title/);
  });
});
