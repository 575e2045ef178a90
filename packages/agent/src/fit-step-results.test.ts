import { describe, expect, it } from "vitest";
import { createEstimatingTokenCounter, truncateToTokens } from "@alma/memory";
import { CUT_NOTE, fitStepResults } from "./fit-step-results.js";

const counter = createEstimatingTokenCounter();
const measure = { countText: async (t: string) => counter.countText(t), truncate: (t: string, n: number) => truncateToTokens(counter, t, n) };
const long = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(" ");

describe("fitStepResults", () => {
  it("keeps results whole when they fit", async () => {
    expect(await fitStepResults(["a b", "c d"], 1000, measure)).toEqual(["a b", "c d"]);
  });
  it("cuts long results fairly to the room, keeps short ones whole, and says where it cut", async () => {
    const texts = ["short answer", long(400), long(800)];
    const out = await fitStepResults(texts, 300, measure);
    expect(out[0]).toBe("short answer");
    const sizes = await Promise.all(out.map((t) => counter.countText(t)));
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(300);
    expect(out[1]!.endsWith(CUT_NOTE)).toBe(true);
    expect(Math.abs(sizes[1]! - sizes[2]!)).toBeLessThan(20);
  });
});
