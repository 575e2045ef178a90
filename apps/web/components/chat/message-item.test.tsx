import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen, within } from "@testing-library/react";
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
const show = (m: UiMessage) =>
  render(
    <TooltipProvider>
      <MessageItem message={m} isLast isLastUser={false} busy={false} actions={actions} />
    </TooltipProvider>,
  );

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
        <MessageItem message={answer({ status: "streaming", content: "", planning: false, progress })} isLast isLastUser={false} busy actions={actions} />
      </TooltipProvider>,
    );
    expect(screen.getByTestId("run-progress").textContent).toBe("Step 1 of 2: Gather the terms(1/2)");
  });
});
