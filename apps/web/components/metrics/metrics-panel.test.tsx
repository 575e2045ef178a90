import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import { TooltipProvider } from "@/components/ui/tooltip";
import type { UiMessage } from "@/lib/ui-message";
import { analyticalMetrics, blankAnswer, step } from "@/lib/metrics-fixtures.test-helpers";
import { MetricsPanel } from "./metrics-panel";

afterEach(cleanup);

function panel(messages: UiMessage[]) {
  return render(
    <TooltipProvider>
      <MetricsPanel client={null} connected={false} messages={messages} context={null} onClose={() => {}} />
    </TooltipProvider>,
  );
}

const question: UiMessage = { ...blankAnswer, id: "u1", role: "user", content: "Compare" };

describe("MetricsPanel", () => {
  it("says what will appear before any answer", () => {
    panel([]);
    expect(screen.getByTestId("answer-metrics-empty").textContent).toContain("timeline");
    expect(screen.getByTestId("conversation-charts-empty").dataset.state).toBe("empty");
    expect(screen.queryByTestId("waterfall")).toBeNull();
  });

  it("draws a streaming analytical answer's live waterfall and shows no run rate until its metrics", () => {
    const now = Date.now();
    const streaming: UiMessage = {
      ...blankAnswer,
      status: "streaming",
      finishReason: null,
      taskType: "analytical",
      progress: { phase: "step", label: "Step 1", step: null },
      steps: [step({ id: "s1", title: "Gather", status: "running", startedAt: now - 500, firstTokenAt: now - 400 }), step({ id: "s2", status: "pending" })],
      live: { sentAt: now - 1100, startedAt: now - 1000, firstTokenAt: now - 400, lastTokenAt: now - 50, tokens: 8 },
    };
    panel([question, streaming]);
    expect(screen.getByTestId("metrics-live")).toBeTruthy();
    expect(screen.getByTestId("waterfall").dataset.source).toBe("live");
    const rows = screen.getAllByTestId("waterfall-row");
    expect(rows.map((r) => [r.dataset.role, r.dataset.stepId ?? null, r.dataset.startMs, r.dataset.running])).toEqual([
      ["plan", null, "0", undefined],
      ["step", "s1", "500", "true"],
    ]);
    expect(screen.getByTestId("waterfall-summary").textContent).toContain("1 waiting");
    expect(screen.getByTestId("metric-tps-value").textContent).toBe("after the run");
    expect(screen.getByTestId("metric-cost-value").textContent).toBe("after the run");
  });

  it("shows a finished run's requests, its model's decode rate, its cost state and the one-answer charts note", () => {
    const done: UiMessage = { ...blankAnswer, metrics: analyticalMetrics() };
    panel([question, done]);
    expect(screen.getByTestId("waterfall").dataset.source).toBe("requests");
    expect(screen.getAllByTestId("waterfall-row").map((r) => r.dataset.role)).toEqual(["plan", "step", "step", "synthesis"]);
    expect(screen.getByTestId("metric-tps").textContent).toContain("Model decode rate");
    expect(screen.getByTestId("metric-tps-value").textContent).toBe("52 tok/s");
    expect(screen.getByTestId("metric-tps").getAttribute("aria-label")).toContain("across its 4 requests");
    // gpt-4o-mini's known price: 1,667 in at $0.15/M and 282 out at $0.60/M
    expect(screen.getByTestId("metric-cost-value").textContent).toBe("$0.0004");
    expect(screen.getByTestId("context-used").dataset.window).toBe("8192");
    expect(screen.getByTestId("conversation-charts-empty").dataset.state).toBe("one");
    expect(screen.getByTestId("server-metrics-waiting").textContent).toBe("Not connected.");
  });

  it("a local model costs nothing unless priced (as the server's export says); a hosted one without a price has none", () => {
    panel([question, { ...blankAnswer, metrics: analyticalMetrics({ provider: "local", model: "stories260K.gguf" }) }]);
    expect(screen.getByTestId("metric-cost-value").textContent).toBe("$0");
    expect(screen.getByTestId("metric-conversation-cost-value").textContent).toBe("$0");
    cleanup();
    panel([question, { ...blankAnswer, metrics: analyticalMetrics({ provider: "openai", model: "llama3.1:8b" }) }]);
    expect(screen.getByTestId("metric-cost-value").textContent).toBe("no price set");
  });
});
