import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, render } from "@testing-library/react";
import type { UiMessage } from "@/lib/chat-state";
import { TooltipProvider } from "@/components/ui/tooltip";

const renders = new Map<string, number>();
vi.mock("./markdown", async (importOriginal) => {
  const real = await importOriginal<typeof import("./markdown")>();
  // counts how often each message's body renders, then renders the real thing
  function CountingMarkdown(props: { text: string; streaming?: boolean }) {
    renders.set(props.text, (renders.get(props.text) ?? 0) + 1);
    return <real.Markdown {...props} />;
  }
  return { ...real, Markdown: CountingMarkdown };
});

const { MessageList } = await import("./message-list");

globalThis.ResizeObserver ??= class {
  observe() {}
  disconnect() {}
  unobserve() {}
} as unknown as typeof ResizeObserver;

afterEach(() => {
  cleanup();
  renders.clear();
});

function msg(id: string, role: "user" | "assistant", content: string, status: UiMessage["status"] = "complete"): UiMessage {
  return {
    id,
    role,
    content,
    status,
    pending: false,
    clientMessageId: null,
    runId: null,
    taskType: null,
    pinned: false,
    steps: null,
    planning: false,
    progress: null,
    finishReason: null,
    usage: null,
    metrics: null,
    cacheHit: false,
    error: null,
    live: null,
    attachments: [],
    createdAt: 0,
  };
}

const actions = { onEdit() {}, onRegenerate() {}, onContinue() {}, onRetry() {}, onPin() {} };

describe("MessageList", () => {
  it("re-renders only the streaming answer; finished messages are memoized", () => {
    const done = msg("a1", "assistant", "finished answer");
    const base = [msg("u1", "user", "q1"), done, msg("u2", "user", "q2")];
    const ui = (streaming: UiMessage) => (
      <TooltipProvider>
        <MessageList messages={[...base, streaming]} busy connected actions={actions} empty={null} />
      </TooltipProvider>
    );
    const { rerender, getAllByTestId } = render(ui(msg("a2", "assistant", "Hel", "streaming")));
    rerender(ui(msg("a2", "assistant", "Hello", "streaming")));
    rerender(ui(msg("a2", "assistant", "Hello wor", "streaming")));
    expect(renders.get("finished answer")).toBe(1);
    expect(renders.get("Hel")).toBe(1);
    expect(renders.get("Hello")).toBe(1);
    expect(renders.get("Hello wor")).toBe(1);
    const items = getAllByTestId("message");
    expect(items.map((i) => [i.dataset.role, i.dataset.status])).toEqual([
      ["user", "complete"],
      ["assistant", "complete"],
      ["user", "complete"],
      ["assistant", "streaming"],
    ]);
  });
});
