import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import type { StepView } from "@/lib/chat-state";
import { StepSections } from "./step-sections";

afterEach(cleanup);

const step: StepView = {
  id: "s1",
  title: "Gather",
  agent: "researcher",
  dependsOn: [],
  text: "facts",
  status: "running",
  note: null,
  durationMs: null,
  tools: [],
};

describe("StepSections", () => {
  it("says more steps are coming while the planner still writes", () => {
    const { rerender } = render(<StepSections steps={[step]} streaming planning />);
    expect(screen.getByTestId("plan-growing").textContent).toContain("Planning more steps");
    rerender(<StepSections steps={[step]} streaming planning={false} />);
    expect(screen.queryByTestId("plan-growing")).toBeNull();
    expect(screen.getAllByTestId("step-section")).toHaveLength(1);
  });
});
