import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import type { StepView } from "@/lib/chat-state";
import { RunProgress } from "./run-progress";

afterEach(cleanup);

const step = (id: string): StepView => ({
  id,
  title: id,
  agent: "analyst",
  dependsOn: [],
  status: "running",
  text: "",
  note: null,
  durationMs: null,
  tools: [],
});

describe("RunProgress", () => {
  it("says a step's place in the final plan once, in words", () => {
    render(
      <RunProgress
        progress={{ phase: "step", label: "Step 2 of 4: Compare the options", step: { id: "s2", index: 1, total: 4 } }}
        steps={[step("s1"), step("s2")]}
      />,
    );
    expect(screen.getByTestId("run-progress").textContent).toBe("Step 2 of 2: Compare the options");
    expect(screen.queryByTestId("run-progress-count")).toBeNull();
  });

  it("keeps the count beside a label of its own that does not say it", () => {
    render(
      <RunProgress progress={{ phase: "step", label: "Checking the figures", step: { id: "s1", index: 0, total: 2 } }} steps={[step("s1"), step("s2")]} />,
    );
    expect(screen.getByTestId("run-progress-count").textContent).toBe("(1/2)");
  });
});
