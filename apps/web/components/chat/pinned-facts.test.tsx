import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import type { PinnedFact } from "@alma/protocol";
import { TooltipProvider } from "@/components/ui/tooltip";
import { PinnedFacts, PinnedFactsList } from "./pinned-facts";

afterEach(cleanup);

const fact = (id: string, text: string): PinnedFact => ({ id, conversationId: "c1", text, messageId: null, createdAt: 1 });
const facts = [fact("f1", "My favourite colour is teal."), fact("f2", "The deadline is Friday.")];

describe("PinnedFactsList", () => {
  it("lists each pinned fact with a remove button that names it", () => {
    const onRemove = vi.fn();
    render(<PinnedFactsList facts={facts} onRemove={onRemove} />);
    expect(screen.getAllByTestId("pinned-fact").map((li) => li.textContent)).toEqual(["My favourite colour is teal.", "The deadline is Friday."]);
    const remove = screen.getAllByTestId("unpin-fact");
    expect(remove[1]!.getAttribute("aria-label")).toBe("Unpin “The deadline is Friday.”");
    fireEvent.click(remove[1]!);
    expect(onRemove).toHaveBeenCalledExactlyOnceWith(facts[1]);
  });

  it("says how to pin when nothing is pinned", () => {
    render(<PinnedFactsList facts={[]} onRemove={vi.fn()} />);
    expect(screen.getByTestId("pinned-facts-empty").textContent).toContain("Nothing is pinned");
  });
});

describe("PinnedFacts", () => {
  it("shows the count on its button and opens the list", async () => {
    render(
      <TooltipProvider>
        <PinnedFacts facts={facts} onRemove={vi.fn()} />
      </TooltipProvider>,
    );
    const toggle = screen.getByTestId("pinned-facts-toggle");
    expect(toggle.getAttribute("aria-label")).toBe("Pinned facts: 2");
    expect(screen.queryByTestId("pinned-facts")).toBeNull();
    fireEvent.click(toggle);
    const panel = await screen.findByTestId("pinned-facts");
    expect(panel.textContent).toContain("The deadline is Friday.");
  });
});
