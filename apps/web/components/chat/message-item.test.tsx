import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { TooltipProvider } from "@/components/ui/tooltip";
import type { StepView, UiMessage } from "@/lib/chat-state";
import { BLANK_MESSAGE } from "@/lib/ui-message";
import { MessageItem } from "./message-item";

afterEach(cleanup);

const step = (id: string, title: string, agent: string, text: string): StepView => ({
  id,
  title,
  agent,
  dependsOn: [],
  text,
  status: "complete",
  note: null,
  durationMs: 1200,
  tools: [],
});
const answer = (over: Partial<UiMessage>): UiMessage => ({
  ...BLANK_MESSAGE,
  id: "a1",
  role: "assistant",
  content: "The payment is 1798.65 a month.",
  status: "complete",
  pending: false,
  clientMessageId: null,
  runId: "r1",
  live: null,
  createdAt: 1,
  taskType: "analytical",
  steps: [
    step("s1", "Gather the terms", "analyst", "300000 over 30 years at 6%"),
    step("s2", "Compute the payment", "calculator", "1798.65"),
    step("review", "Review", "reviewer", "Every claim in the answer is supported by the steps' results."),
  ],
  ...over,
});
const actions = { onEdit: vi.fn(), onRegenerate: vi.fn(), onContinue: vi.fn(), onRetry: vi.fn(), onPin: vi.fn() };
const item = (m: UiMessage, connected = true) => (
  <TooltipProvider>
    <MessageItem message={m} isLast isLastUser={false} busy={false} connected={connected} actions={actions} />
  </TooltipProvider>
);
const show = (m: UiMessage, connected = true) => render(item(m, connected));

describe("an analytical answer's steps", () => {
  it("numbers the plan's steps above the synthesis and shows the reviewer's step after it, as Review", () => {
    show(answer({}));
    const sections = screen.getAllByTestId("step-section");
    expect(sections.map((s) => s.getAttribute("data-step-id"))).toEqual(["s1", "s2", "review"]);
    expect(sections.map((s) => within(s).getAllByRole("button")[0]!.getAttribute("aria-label"))).toEqual([
      "Step 1: Gather the terms",
      "Step 2: Compute the payment",
      "Review",
    ]);
    const synthesis = screen.getByTestId("message-content");
    const review = screen.getByTestId("review");
    // the review reads after the answer it checks, the plan before it
    expect(synthesis.compareDocumentPosition(review) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(screen.getByTestId("plan").compareDocumentPosition(synthesis) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(within(screen.getByTestId("plan")).queryByText(/Review/)).toBeNull();
  });

  it("counts the progress against the final plan once the planner is done", () => {
    const progress = { phase: "step" as const, label: "Step 1: Gather the terms", step: { id: "s1", index: 0, total: 4 } };
    const { rerender } = show(answer({ status: "streaming", content: "", planning: true, progress }));
    expect(screen.getByTestId("run-progress").textContent).toBe("Step 1: Gather the terms");
    rerender(
      <TooltipProvider>
        <MessageItem
          message={answer({ status: "streaming", content: "", planning: false, progress })}
          isLast
          isLastUser={false}
          busy
          connected
          actions={actions}
        />
      </TooltipProvider>,
    );
    expect(screen.getByTestId("run-progress").textContent).toBe("Step 1 of 2: Gather the terms");
  });
});

describe("an answer interrupted by a server shutdown", () => {
  const interrupted = answer({
    status: "interrupted",
    content: "The payment is",
    taskType: "conversational",
    steps: null,
    error: {
      code: "shutting_down",
      message: "The server shut down during this answer. The partial answer was kept; continue it when the server is back.",
      retryable: true,
    },
  });
  const continueButtons = () => screen.getAllByRole("button").filter((b) => b.textContent?.includes("Continue"));

  it("while the server is down: one message saying to continue it when the server is back, and one Continue, disabled", () => {
    show(interrupted, false);
    const article = screen.getByTestId("message");
    expect(article.textContent?.match(/partial answer/g)).toHaveLength(1);
    expect(article.textContent).toContain("The partial answer was kept: continue it when the server is back.");
    expect(article.textContent).not.toContain("continue it now");
    expect(continueButtons()).toHaveLength(1);
    expect((continueButtons()[0] as HTMLButtonElement).disabled).toBe(true);
  });

  it("once the server is back: one message saying to continue it now, and one Continue that continues it", () => {
    actions.onContinue.mockClear();
    const { rerender } = show(interrupted, false);
    rerender(item(interrupted, true));
    const article = screen.getByTestId("message");
    expect(article.textContent?.match(/partial answer/g)).toHaveLength(1);
    expect(article.textContent).toContain("The partial answer was kept: continue it now.");
    expect(article.textContent).not.toContain("when the server is back");
    expect(continueButtons()).toHaveLength(1);
    fireEvent.click(continueButtons()[0]!);
    expect(actions.onContinue).toHaveBeenCalledExactlyOnceWith("a1");
  });

  it("an answer stopped by the user keeps its own Continue", () => {
    show(answer({ status: "stopped", content: "The payment is", steps: null }), false);
    expect(screen.getAllByTestId("continue")).toHaveLength(1);
    expect(screen.queryByTestId("error-continue")).toBeNull();
  });
});
