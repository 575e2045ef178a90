import { afterEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { TooltipProvider } from "@/components/ui/tooltip";
import type { ConversationSummary } from "@/lib/use-conversations";
import { plainSnippet, shownConversations, Sidebar } from "./sidebar";

afterEach(cleanup);

const conv = (i: number): ConversationSummary =>
  ({ id: `c${i}`, title: `Conversation ${i}`, createdAt: i, updatedAt: 100 - i, snippet: null }) as ConversationSummary;
const twenty = Array.from({ length: 20 }, (_, i) => conv(i + 1));

function ui(props: Partial<React.ComponentProps<typeof Sidebar>> = {}) {
  return (
    <TooltipProvider>
      <Sidebar
        items={twenty}
        loaded
        error={null}
        activeId={null}
        query=""
        onQuery={vi.fn()}
        onOpen={vi.fn()}
        onNew={vi.fn()}
        onRename={vi.fn()}
        onDelete={vi.fn()}
        {...props}
      />
    </TooltipProvider>
  );
}

/** the elements Tab stops at, in document order */
const tabStops = (root: HTMLElement) =>
  [...root.querySelectorAll<HTMLElement>("a[href], button, input, textarea, select, [tabindex]")].filter(
    (el) => el.tabIndex >= 0 && !(el as HTMLButtonElement).disabled,
  );
const focused = () => document.activeElement as HTMLElement;
const rowOf = (el: Element) => el.closest("li")?.getAttribute("data-conversation-id");

describe("Sidebar keyboard", () => {
  it("is New chat, the search and one stop for the whole list, however many conversations", () => {
    const { container } = render(ui());
    const stops = tabStops(container);
    expect(stops.map((el) => el.getAttribute("data-testid"))).toEqual(["new-chat", "conversation-search", "conversation-link"]);
    // the list's stop is the first conversation, or the open one
    expect(rowOf(stops[2]!)).toBe("c1");
    cleanup();
    const again = render(ui({ activeId: "c7" }));
    expect(rowOf(tabStops(again.container)[2]!)).toBe("c7");
  });

  it("moves between conversations with the arrows, Home and End, and into a row's actions with Right", () => {
    const onDelete = vi.fn();
    const { container } = render(ui({ onDelete }));
    const first = tabStops(container)[2]!;
    act(() => first.focus());
    fireEvent.keyDown(focused(), { key: "ArrowDown" });
    expect(rowOf(focused())).toBe("c2");
    fireEvent.keyDown(focused(), { key: "ArrowDown" });
    fireEvent.keyDown(focused(), { key: "ArrowUp" });
    expect(rowOf(focused())).toBe("c2");
    fireEvent.keyDown(focused(), { key: "End" });
    expect(rowOf(focused())).toBe("c20");
    fireEvent.keyDown(focused(), { key: "Home" });
    expect(rowOf(focused())).toBe("c1");
    fireEvent.keyDown(focused(), { key: "ArrowDown" });
    // Right reaches Rename, then Delete; each is still the only stop of the list
    fireEvent.keyDown(focused(), { key: "ArrowRight" });
    expect(focused().getAttribute("data-testid")).toBe("rename-conversation");
    fireEvent.keyDown(focused(), { key: "ArrowRight" });
    expect(focused().getAttribute("data-testid")).toBe("delete-conversation");
    expect(focused().getAttribute("aria-label")).toBe("Delete Conversation 2");
    const stops = tabStops(container);
    expect(stops).toHaveLength(3);
    expect(stops[2]).toBe(focused());
    fireEvent.keyDown(focused(), { key: "Enter" });
    fireEvent.click(focused());
    expect(onDelete).toHaveBeenCalledWith("c2", "Conversation 2");
    // focus went on to the next conversation rather than falling to the page
    expect(rowOf(focused())).toBe("c3");
    expect(focused().getAttribute("data-testid")).toBe("conversation-link");
  });

  it("renames with F2 and deletes with Delete, from the conversation's link", () => {
    const onDelete = vi.fn();
    const onRename = vi.fn();
    const { container } = render(ui({ onDelete, onRename }));
    act(() => tabStops(container)[2]!.focus());
    fireEvent.keyDown(focused(), { key: "F2" });
    const input = screen.getByTestId("rename-input") as HTMLInputElement;
    expect(focused()).toBe(input);
    fireEvent.change(input, { target: { value: "Renamed" } });
    fireEvent.keyDown(input, { key: "Enter" });
    expect(onRename).toHaveBeenCalledWith("c1", "Renamed");
    // back on the row, not lost
    expect(rowOf(focused())).toBe("c1");
    fireEvent.keyDown(focused(), { key: "Delete" });
    expect(onDelete).toHaveBeenCalledWith("c1", "Conversation 1");
  });

  it("opens a conversation with Enter (its link)", () => {
    const onOpen = vi.fn();
    const { container } = render(ui({ onOpen }));
    const link = tabStops(container)[2]!;
    fireEvent.click(link);
    expect(onOpen).toHaveBeenCalledWith("c1");
  });
});

describe("Sidebar before the list arrives", () => {
  it("says it is loading, not that there are no conversations", () => {
    const { rerender } = render(ui({ items: [], loaded: false }));
    expect(screen.getByTestId("conversations-loading").textContent).toContain("Loading conversations");
    expect(screen.queryByText("No conversations yet.")).toBeNull();
    expect(screen.getByTestId("conversation-list").getAttribute("aria-busy")).toBe("true");
    rerender(ui({ items: [], loaded: true }));
    expect(screen.queryByTestId("conversations-loading")).toBeNull();
    expect(screen.getByText("No conversations yet.")).toBeTruthy();
  });
});

describe("plainSnippet", () => {
  it("shows an answer's first line without its Markdown markers", () => {
    expect(plainSnippet("## Recommendation: start with **SQLite**")).toBe("Recommendation: start with SQLite");
    expect(plainSnippet("- use `pnpm`\n  twice")).toBe("use pnpm twice");
    expect(plainSnippet("Plain text stays")).toBe("Plain text stays");
  });
});

describe("the sidebar's empty conversations", () => {
  const empty = (id: string): ConversationSummary => ({ ...conv(0), id, title: "", snippet: null });

  it("leaves out a conversation with no message (untitled, no snippet) unless it is the open one", () => {
    const items = [empty("e1"), conv(1), { ...conv(2), title: "", snippet: "what does the CSV say?" }, empty("e2")];
    expect(shownConversations(items, "e2").map((c) => c.id)).toEqual(["c1", "c2", "e2"]);
    render(ui({ items, activeId: null }));
    expect(screen.getAllByTestId("conversation-item").map((li) => li.getAttribute("data-conversation-id"))).toEqual(["c1", "c2"]);
    cleanup();
    render(ui({ items, activeId: "e1" }));
    expect(screen.getAllByTestId("conversation-item").map((li) => li.getAttribute("data-conversation-id"))).toEqual(["e1", "c1", "c2"]);
    expect(screen.getAllByTestId("conversation-link")[0]!.textContent).toBe("New conversation");
  });
});
