import type * as React from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { hydrateRoot, type Root } from "react-dom/client";
import { renderToString } from "react-dom/server";
import type { ClientFrame } from "@alma/protocol";
import { welcomeFrame } from "@alma/client/testing";
import { TooltipProvider } from "@/components/ui/tooltip";
import { useAlmaChat } from "@/lib/use-alma-chat";
import { Composer } from "./composer";

globalThis.ResizeObserver ??= class {
  observe() {}
  disconnect() {}
  unobserve() {}
} as unknown as typeof ResizeObserver;

type ComposerProps = React.ComponentProps<typeof Composer>;

function ui(props: Partial<ComposerProps> = {}) {
  const all: ComposerProps = {
    conversationId: null,
    streaming: false,
    disabledReason: null,
    maxChars: null,
    taskType: "auto",
    onTaskTypeChange: () => undefined,
    onSend: () => undefined,
    onStop: () => undefined,
    ...props,
  };
  return (
    <TooltipProvider>
      <Composer {...all} />
    </TooltipProvider>
  );
}

const roots: Root[] = [];
beforeEach(() => localStorage.clear());
afterEach(() => {
  for (const root of roots.splice(0)) act(() => root.unmount());
  cleanup();
  document.body.innerHTML = "";
  localStorage.clear();
});

/** Renders on the "server", lets the user type into that HTML, then hydrates it as the browser does. */
async function hydrateAfterTyping(typed: string, props: Partial<ComposerProps>) {
  const container = document.createElement("div");
  document.body.appendChild(container);
  container.innerHTML = renderToString(ui(props));
  const box = container.querySelector("textarea")!;
  expect(box.value).toBe("");
  // keystrokes before React took over: only the DOM has them
  box.value = typed;
  let root!: Root;
  await act(async () => {
    root = hydrateRoot(container, ui(props));
  });
  roots.push(root);
  return { box, root, container };
}

describe("Composer before and during hydration", () => {
  it("a message over the length limit holds Send and says by how much, in readable numbers, and what to do", () => {
    const onSend = vi.fn();
    render(ui({ maxChars: 400_000, onSend }));
    const box = screen.getByRole("textbox");
    fireEvent.change(box, { target: { value: "x".repeat(1_048_576) } });
    expect(screen.getByText("The message is 648,576 characters over the limit of 400,000: shorten it, or attach the text as a file.")).toBeTruthy();
    fireEvent.keyDown(box, { key: "Enter" });
    expect(onSend).not.toHaveBeenCalled();
  });

  it("keeps what was typed into the server-rendered box, through later renders", async () => {
    const onSend = vi.fn();
    const { box, root } = await hydrateAfterTyping("Summ", { disabledReason: "Connecting to the server…", onSend });
    expect(box.value).toBe("Summ");
    // the socket opens: the composer renders again with new props, which used to reset the box to its empty state
    await act(async () => root.render(ui({ disabledReason: null, onSend })));
    expect(box.value).toBe("Summ");
    // typing on, now through React
    fireEvent.change(box, { target: { value: "Summer rain 1" } });
    fireEvent.keyDown(box, { key: "Enter" });
    expect(onSend).toHaveBeenCalledExactlyOnceWith("Summer rain 1");
    expect(box.value).toBe("");
  });

  it("does not let a saved draft overwrite what was typed before hydration; the typed text becomes the draft", async () => {
    localStorage.setItem("alma.draft.new", "an old draft the user cannot see yet");
    const { box } = await hydrateAfterTyping("Summer", {});
    // effects have run: the draft was not restored over the typing
    await act(async () => new Promise((r) => setTimeout(r, 10)));
    expect(box.value).toBe("Summer");
    expect(localStorage.getItem("alma.draft.new")).toBe("Summer");
  });

  it("restores the saved draft when nothing was typed", async () => {
    localStorage.setItem("alma.draft.c1", "half a thought");
    const { box } = await hydrateAfterTyping("", { conversationId: "c1" });
    expect(box.value).toBe("half a thought");
  });

  it("keeps text typed after sending from a new chat when the server names the conversation", async () => {
    const onSend = vi.fn();
    const { rerender } = render(ui({ onSend }));
    const again = screen.getByTestId("composer") as HTMLTextAreaElement;
    fireEvent.change(again, { target: { value: "first" } });
    fireEvent.keyDown(again, { key: "Enter" });
    expect(onSend).toHaveBeenCalledExactlyOnceWith("first");
    fireEvent.change(again, { target: { value: "the next one" } });
    // message.accepted names the new conversation
    rerender(ui({ onSend, conversationId: "c-new" }));
    expect(again.value).toBe("the next one");
    expect(localStorage.getItem("alma.draft.c-new")).toBe("the next one");
    expect(localStorage.getItem("alma.draft.new")).toBeNull();
    // switching to another conversation still shows that one's draft
    localStorage.setItem("alma.draft.c2", "c2's draft");
    rerender(ui({ onSend, conversationId: "c2" }));
    expect(again.value).toBe("c2's draft");
  });
});

describe("Composer's Send button", () => {
  /** every element Tab can reach inside the composer, in order */
  const tabStops = (root: HTMLElement) =>
    [...root.querySelectorAll<HTMLElement>("a[href], button, textarea, input, select, [tabindex]")].filter(
      (el) => el.tabIndex >= 0 && !(el as HTMLButtonElement).disabled,
    );

  it("is one labelled tab stop when it cannot send, with no focusable wrapper, and says why", () => {
    const onSend = vi.fn();
    const { container } = render(ui({ disabledReason: "No model is ready: see the setup steps above.", onSend }));
    const send = screen.getByTestId("send");
    expect(send.tagName).toBe("BUTTON");
    expect(send.getAttribute("aria-label")).toBe("Send message");
    expect(send.getAttribute("aria-disabled")).toBe("true");
    // no wrapper of its own takes focus: the stops are the box, the task type and Send itself
    expect(tabStops(container).map((el) => el.getAttribute("data-testid"))).toEqual(["composer", "task-type", "send"]);
    // the reason is its description
    const describedBy = send.getAttribute("aria-describedby");
    expect(describedBy).toBeTruthy();
    expect(document.getElementById(describedBy!)?.textContent).toBe("No model is ready: see the setup steps above.");
    fireEvent.change(screen.getByTestId("composer"), { target: { value: "hello" } });
    fireEvent.click(send);
    expect(onSend).not.toHaveBeenCalled();
  });

  it("is enabled, with no description, once there is text to send", () => {
    const onSend = vi.fn();
    render(ui({ onSend }));
    const send = screen.getByTestId("send");
    expect(send.getAttribute("aria-disabled")).toBe("true");
    fireEvent.change(screen.getByTestId("composer"), { target: { value: "hello" } });
    expect(send.hasAttribute("aria-disabled")).toBe(false);
    expect(send.hasAttribute("aria-describedby")).toBe(false);
    fireEvent.click(send);
    expect(onSend).toHaveBeenCalledExactlyOnceWith("hello");
  });
});

/** A socket the test opens and answers by hand, so "still connecting" lasts as long as the test wants. */
class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  readonly sent: ClientFrame[] = [];
  private readonly listeners = new Map<string, Array<(event: unknown) => void>>();
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as ClientFrame);
  }
  close(code = 1000, reason = "") {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.fire("close", { code, reason });
  }
  addEventListener(type: string, listener: (event: unknown) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  open() {
    this.readyState = 1;
    this.fire("open", {});
  }
  reply(frame: object) {
    this.fire("message", { data: JSON.stringify(frame) });
  }
  get sends() {
    return this.sent.filter((f) => f.type === "message.send");
  }
  private fire(type: string, event: unknown) {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
}

/** The page's wiring, as chat-app does it: the composer is disabled while not connected, and useAlmaChat sends. */
function Chat() {
  const chat = useAlmaChat("ws://alma.test/ws", null);
  const connected = chat.connection.status === "open";
  return (
    <>
      <ul>
        {chat.state.messages.map((m) => (
          <li key={m.id} data-testid="message" data-error={m.error?.message ?? ""}>
            {m.content}
          </li>
        ))}
      </ul>
      {ui({
        conversationId: chat.state.conversationId,
        streaming: chat.streamingRunId !== null,
        disabledReason: connected ? null : "Connecting to the server…",
        onSend: (text) => chat.send(text, "auto"),
        onStop: chat.stop,
      })}
    </>
  );
}

describe("Composer and useAlmaChat while the socket connects", () => {
  const realWebSocket = globalThis.WebSocket;
  beforeEach(() => {
    FakeSocket.all = [];
    globalThis.WebSocket = FakeSocket as unknown as typeof WebSocket;
  });
  afterEach(() => {
    globalThis.WebSocket = realWebSocket;
  });

  const reason = () => screen.getByTestId("composer-reason").textContent;
  const sendButton = () => screen.getByTestId("send") as HTMLButtonElement;
  /** aria-disabled: the button stays focusable (one tab stop, named), but cannot send */
  const sendDisabled = () => sendButton().getAttribute("aria-disabled") === "true";

  it("Enter while connecting queues the message, says so, and sends it exactly once on connect", async () => {
    render(<Chat />);
    const socket = FakeSocket.all[0]!;
    const box = screen.getByTestId("composer") as HTMLTextAreaElement;
    expect(reason()).toBe("Connecting to the server… Enter sends once connected.");
    fireEvent.change(box, { target: { value: "Summer rain 1" } });
    expect(sendDisabled()).toBe(false);
    fireEvent.keyDown(box, { key: "Enter" });

    expect(screen.getAllByTestId("message").map((m) => m.textContent)).toEqual(["Summer rain 1"]);
    expect(box.value).toBe("");
    expect(reason()).toBe("Sending when connected…");
    // one at a time while it waits
    fireEvent.change(box, { target: { value: "a second one" } });
    expect(sendDisabled()).toBe(true);
    fireEvent.keyDown(box, { key: "Enter" });
    expect(box.value).toBe("a second one");
    expect(socket.sent).toEqual([]);

    socket.open();
    expect(socket.sent.map((f) => f.type)).toEqual(["hello"]);
    await act(async () => {
      socket.reply(welcomeFrame());
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(socket.sends.map((f) => f.type === "message.send" && f.content)).toEqual(["Summer rain 1"]);
    expect(reason()).toBe("");
    expect(sendDisabled()).toBe(false);
    await act(async () => new Promise((r) => setTimeout(r, 20)));
    expect(socket.sends).toHaveLength(1);
  });

  it("a connection that fails for good fails the queued message with a clear error and stops offering to send", async () => {
    render(<Chat />);
    const socket = FakeSocket.all[0]!;
    const box = screen.getByTestId("composer") as HTMLTextAreaElement;
    fireEvent.change(box, { target: { value: "Summer rain 1" } });
    fireEvent.keyDown(box, { key: "Enter" });
    expect(reason()).toBe("Sending when connected…");
    socket.open();
    await act(async () => {
      socket.reply({ type: "error", code: "unauthorized", message: "This server needs an access token.", retryable: false, frameType: "hello" });
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(screen.getByTestId("message").dataset.error).toBe("The message was not sent: this server needs an access token.");
    expect(reason()).toBe("Not connected: This server needs an access token.");
    fireEvent.change(box, { target: { value: "again" } });
    expect(sendDisabled()).toBe(true);
    expect(socket.sends).toEqual([]);
    expect(FakeSocket.all).toHaveLength(1);
  });
});
