import { afterEach, describe, expect, it } from "vitest";
import type * as React from "react";
import { cleanup, render as renderBare, screen, within } from "@testing-library/react";
import { TooltipProvider } from "@/components/ui/tooltip";
import type { StepView, ToolCallRecord } from "@/lib/chat-state";
import { StepSections } from "./step-sections";
import { ToolCalls } from "./tool-call-view";

afterEach(cleanup);

// code blocks carry a copy button with a tooltip, as in the app
const render = (ui: React.ReactElement) => renderBare(ui, { wrapper: TooltipProvider });

const running: ToolCallRecord = {
  id: "call-1",
  tool: "calculate",
  arguments: JSON.stringify({ code: "const r = 0.06 / 12;\n300000 * r / (1 - (1 + r) ** -360)" }),
  status: "running",
  result: null,
  error: null,
  durationMs: null,
  startedAt: 1,
};

describe("a step's tool calls", () => {
  it("shows a call live: running with its code, then its result and duration", () => {
    const { rerender } = render(<ToolCalls tools={[running]} />);
    const call = screen.getByTestId("tool-call");
    expect(call.dataset.status).toBe("running");
    expect(within(call).getByTestId("tool-call-name").textContent).toBe("calculate");
    expect(within(call).getByTestId("tool-call-code").textContent).toContain("300000 * r / (1 - (1 + r) ** -360)");
    expect(within(call).getByText("running…")).toBeTruthy();
    expect(within(call).queryByTestId("tool-call-result")).toBeNull();
    rerender(<ToolCalls tools={[{ ...running, status: "ok", result: "1798.65", durationMs: 14 }]} />);
    expect(call.dataset.status).toBe("ok");
    expect(within(call).getByTestId("tool-call-result").textContent).toBe("Result: 1798.65");
    expect(within(call).getByTestId("tool-call-duration").textContent).toBe("14 ms");
    expect(within(call).queryByText("running…")).toBeNull();
    // the calculator's text names itself: the label is not said twice
    rerender(<ToolCalls tools={[{ ...running, status: "ok", result: "Result: 1798.65", durationMs: 14 }]} />);
    expect(within(call).getByTestId("tool-call-result").textContent).toBe("Result: 1798.65");
  });

  it("shows a failed call's message, styled as an error", () => {
    render(
      <ToolCalls
        tools={[{ ...running, status: "error", error: { code: "timeout", message: "The script ran past its 1 s limit: it was stopped." }, durationMs: 1000 }]}
      />,
    );
    const call = screen.getByTestId("tool-call");
    expect(call.dataset.status).toBe("error");
    expect(call.className).toContain("border-destructive");
    expect(within(call).getByTestId("tool-call-error").textContent).toBe("The script ran past its 1 s limit: it was stopped.");
    expect(within(call).queryByTestId("tool-call-result")).toBeNull();
  });

  it("shows a search's query, and arguments that are not JSON as written", () => {
    render(
      <ToolCalls
        tools={[
          { ...running, id: "c2", tool: "search_documents", arguments: '{"query":"revenue on page 170"}' },
          { ...running, id: "c3", tool: "lookup", arguments: "{not json" },
        ]}
      />,
    );
    const [search, odd] = screen.getAllByTestId("tool-call");
    expect(within(search!).getByTestId("tool-call-query").textContent).toBe("Searched for revenue on page 170");
    expect(within(odd!).getByTestId("tool-call-arguments").textContent).toBe("{not json");
  });

  it("sits inside its step's section, before the step's text", () => {
    const step: StepView = {
      id: "s1",
      title: "Compute the payment",
      agent: "calculator",
      dependsOn: [],
      text: "The payment is 1798.65.",
      status: "complete",
      note: null,
      durationMs: 40,
      tools: [{ ...running, status: "ok", result: "1798.65", durationMs: 14 }],
    };
    render(<StepSections steps={[step]} streaming={false} />);
    const content = screen.getByTestId("step-content");
    expect(within(content).getByTestId("tool-call").dataset.tool).toBe("calculate");
    expect(content.textContent!.indexOf("calculate")).toBeLessThan(content.textContent!.indexOf("The payment is 1798.65."));
  });
});
