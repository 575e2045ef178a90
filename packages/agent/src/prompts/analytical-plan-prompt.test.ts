import { describe, expect, it } from "vitest";
import { analyticalPlanPrompt, PLAN_MARKER } from "./analytical-plan-prompt.js";

describe("analyticalPlanPrompt", () => {
  it("asks for a JSON plan of the given size for the quoted task", () => {
    const r = analyticalPlanPrompt.render({ task: "Compare TCP and UDP", minSteps: 2, maxSteps: 5 });
    expect(r.system).toContain("JSON object");
    expect(r.instruction).toContain('"""Compare TCP and UDP"""');
    expect(r.instruction).toContain("in 2 to 5 steps");
    expect(r.instruction).toContain(PLAN_MARKER);
    expect(r.instruction).toContain('"dependsOn"');
  });
  it("is cool and bounded", () => {
    expect(analyticalPlanPrompt.temperature).toBeLessThanOrEqual(0.3);
    expect(analyticalPlanPrompt.maxOutputTokens).toBeLessThanOrEqual(600);
  });
});
