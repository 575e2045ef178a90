import { describe, expect, it } from "vitest";
import { analyticalSynthesisPrompt, SYNTHESIS_MARKER } from "./analytical-synthesis-prompt.js";

describe("analyticalSynthesisPrompt", () => {
  it("lists every step's result under its heading", () => {
    const r = analyticalSynthesisPrompt.render({
      task: "Compare",
      steps: [
        { title: "A", status: "complete", note: null, text: "alpha" },
        { title: "B", status: "complete", note: null, text: "beta" },
      ],
      budget: 500,
    });
    expect(r.instruction).toContain("## Step 1: A (complete)\nalpha");
    expect(r.instruction).toContain("## Step 2: B (complete)\nbeta");
    expect(r.instruction).toContain(SYNTHESIS_MARKER);
    expect(r.instruction).not.toContain("did not finish");
    // asked to end on its own well inside its budget
    expect(r.instruction).toContain("in at most 300 words");
  });
  it("tells the model which steps were cut or failed and asks for a stated partial answer", () => {
    const r = analyticalSynthesisPrompt.render({
      task: "Compare",
      steps: [
        { title: "A", status: "truncated", note: "stopped after 5 s: the run's deadline", text: "alp" },
        { title: "B", status: "failed", note: "failed: the provider is unavailable", text: "" },
      ],
      budget: 500,
    });
    expect(r.instruction).toContain("(no result)");
    expect(r.instruction).toContain(`"A" (stopped after 5 s: the run's deadline)`);
    expect(r.instruction).toContain(`"B" (failed: the provider is unavailable)`);
    expect(r.instruction).toContain("partial answer");
  });
});
