import { describe, expect, it } from "vitest";
import { analyticalStepPrompt, STEP_MARKER } from "./analytical-step-prompt.js";

describe("analyticalStepPrompt", () => {
  it("names the step, its position, its budget and the results it depends on", () => {
    const r = analyticalStepPrompt.render({
      task: "Compare TCP and UDP",
      title: "Recommend",
      instruction: "Pick one for a shooter.",
      index: 3,
      total: 3,
      dependencies: [{ title: "Latency", text: "UDP has no head-of-line blocking." }],
      budget: 300,
    });
    expect(r.instruction).toContain(`${STEP_MARKER} 3 of 3: Recommend.`);
    expect(r.instruction).toContain("Pick one for a shooter.");
    expect(r.instruction).toContain('Result of the earlier step "Latency":\nUDP has no head-of-line blocking.');
    expect(r.instruction).toContain("at most 180 words");
    expect(r.system).toContain("exactly one step");
  });
  it("leaves out the dependency section when there is none", () => {
    const r = analyticalStepPrompt.render({ task: "t", title: "A", instruction: "i", index: 1, total: 2, dependencies: [], budget: 10 });
    expect(r.instruction).not.toContain("Result of the earlier step");
  });
});
