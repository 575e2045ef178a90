import { describe, expect, it } from "vitest";
import { PlanStreamParser } from "./plan-stream-parser.js";

const plan = JSON.stringify({
  steps: [
    { id: "s1", title: "Latency", instruction: "Compare latency.", dependsOn: [] },
    { id: "s2", title: "Cost", instruction: "Compare cost.", dependsOn: ["s1", "s9"] },
    { id: "s3", title: "Pick", instruction: "Recommend one.", dependsOn: ["s1", "s2"] },
  ],
});

function feed(p: PlanStreamParser, text: string, size = 3) {
  const out: Array<{ at: number; ids: string[] }> = [];
  for (let i = 0; i < text.length; i += size) {
    const got = p.push(text.slice(i, i + size));
    if (got.length) out.push({ at: i + size, ids: got.map((s) => s.id) });
  }
  return out;
}

describe("PlanStreamParser", () => {
  it("hands out each step as soon as its object is closed, before the plan ends", () => {
    const p = new PlanStreamParser(5);
    const seen = feed(p, plan);
    expect(seen.flatMap((s) => s.ids)).toEqual(["s1", "s2"]);
    // s1 came out once s2 had begun, long before the end of the text
    expect(seen[0]!.at).toBeLessThan(plan.indexOf('"s2"') + 10);
    expect(p.begun).toBe(3);
    expect(p.end().map((s) => s.id)).toEqual(["s3"]);
    // dependencies on unknown or later steps are dropped
    expect(p.planned.map((s) => s.dependsOn)).toEqual([[], ["s1"], ["s1", "s2"]]);
  });

  it("tolerates a code fence and a short preamble, and numbers steps that come without ids", () => {
    const p = new PlanStreamParser(5);
    feed(p, 'Here is the plan:\n```json\n{"steps":[{"title":"A","instruction":"do a"},{"title":"B","instruction":"do b"}]}\n```');
    p.end();
    expect(p.planned.map((s) => [s.id, s.title])).toEqual([
      ["s1", "A"],
      ["s2", "B"],
    ]);
  });

  it("reports prose as not JSON early, without waiting for the whole answer", () => {
    const p = new PlanStreamParser(5);
    const prose = "Once upon a time there was a little cat who lived by the sea and liked to watch the boats. ".repeat(5);
    let at = -1;
    for (let i = 0; i < prose.length; i += 4) {
      p.push(prose.slice(i, i + 4));
      if (p.state === "not_json") {
        at = i;
        break;
      }
    }
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(200);
    expect(p.end()).toEqual([]);
  });

  it("leaves out a broken step and keeps the others; stops taking at its limit", () => {
    const p = new PlanStreamParser(5);
    feed(p, '{"steps":[{"title":"A","instruction":"a"},{"title":"no instruction"},{"title":"C","instruction":"c"}]}');
    p.end();
    expect(p.planned.map((s) => s.title)).toEqual(["A", "C"]);
    const capped = new PlanStreamParser(2);
    feed(capped, plan);
    expect(capped.full).toBe(true);
    capped.end();
    expect(capped.planned.map((s) => s.id)).toEqual(["s1", "s2"]);
  });

  it("JSON that is an answer, not a plan, is reported as not a plan early", () => {
    const p = new PlanStreamParser(5);
    feed(p, JSON.stringify({ answer: "PostgreSQL suits analytics better because ".repeat(10) }));
    expect(p.state).toBe("not_json");
  });

  it("a plan cut mid-way keeps its closed steps", () => {
    const p = new PlanStreamParser(5);
    feed(p, plan.slice(0, plan.indexOf('"s3"') + 12));
    p.end();
    expect(p.planned.map((s) => s.id)).toEqual(["s1", "s2"]);
  });
});
