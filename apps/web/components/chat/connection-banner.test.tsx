import { afterEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, render, screen } from "@testing-library/react";
import { AlmaClientError, type WelcomeFrame } from "@alma/client";
import { ConnectionBanner, FIRST_CONNECT_GRACE_ATTEMPTS, FIRST_CONNECT_GRACE_MS } from "./connection-banner";

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});
const noop = () => undefined;

describe("ConnectionBanner", () => {
  it("stays hidden while open and during the very first connect", () => {
    const { container, rerender } = render(
      <ConnectionBanner connection={{ status: "open", welcome: {} as WelcomeFrame }} everConnected serverUrl="ws://x/ws" onReconnect={noop} />,
    );
    expect(container.textContent).toBe("");
    rerender(<ConnectionBanner connection={{ status: "connecting", attempt: 0 }} everConnected={false} serverUrl="ws://x/ws" onReconnect={noop} />);
    expect(container.textContent).toBe("");
  });

  it("says the connection was lost and when the next attempt is", () => {
    render(
      <ConnectionBanner
        connection={{ status: "reconnecting", attempt: 2, delayMs: 2000, nextAttemptAt: 0, lastError: "closed" }}
        everConnected
        serverUrl="ws://x/ws"
        onReconnect={noop}
      />,
    );
    const banner = screen.getByTestId("connection-banner");
    expect(banner.textContent).toContain("Connection lost");
    expect(banner.textContent).toContain("Attempt 2, next in 2 s");
    expect(banner.textContent).toContain("draft is kept");
  });

  it("names the server it cannot reach before the first connection, once the first attempts have failed", () => {
    render(
      <ConnectionBanner
        connection={{ status: "reconnecting", attempt: FIRST_CONNECT_GRACE_ATTEMPTS, delayMs: 500, nextAttemptAt: 0, lastError: null }}
        everConnected={false}
        serverUrl="ws://127.0.0.1:8787/ws"
        onReconnect={noop}
      />,
    );
    const banner = screen.getByTestId("connection-banner");
    expect(banner.getAttribute("role")).toBe("alert");
    expect(banner.textContent).toContain("Cannot reach the alma server at ws://127.0.0.1:8787/ws");
  });

  it("says Connecting… while the server may still be starting, then that it cannot be reached", () => {
    vi.useFakeTimers();
    const failing = (attempt: number) => ({ status: "reconnecting" as const, attempt, delayMs: 1000, nextAttemptAt: 0, lastError: "refused" });
    const { rerender } = render(
      <ConnectionBanner connection={{ status: "connecting", attempt: 0 }} everConnected={false} serverUrl="ws://x/ws" onReconnect={noop} />,
    );
    // early failed attempts: a status, not an alert, and no "Cannot reach"
    for (const attempt of [1, 2, 3]) {
      rerender(<ConnectionBanner connection={failing(attempt)} everConnected={false} serverUrl="ws://x/ws" onReconnect={noop} />);
      const banner = screen.getByTestId("connection-banner");
      expect(banner.getAttribute("role")).toBe("status");
      expect(banner.dataset.state).toBe("first-connect");
      expect(banner.textContent).toContain("Connecting to the alma server…");
      expect(banner.textContent).not.toContain("Cannot reach");
    }
    act(() => {
      vi.advanceTimersByTime(FIRST_CONNECT_GRACE_MS - 100);
    });
    expect(screen.getByTestId("connection-banner").textContent).not.toContain("Cannot reach");
    // the grace period is over: now it is a failure worth an alert
    act(() => {
      vi.advanceTimersByTime(200);
    });
    expect(screen.getByTestId("connection-banner").getAttribute("role")).toBe("alert");
    expect(screen.getByTestId("connection-banner").textContent).toContain("Cannot reach the alma server at ws://x/ws");
  });

  it("fails at once when the client gives up before the first connection (a refused token)", () => {
    render(<ConnectionBanner connection={{ status: "closed", error: null }} everConnected={false} serverUrl="ws://x/ws" onReconnect={noop} />);
    expect(screen.getByTestId("connection-banner").getAttribute("role")).toBe("alert");
  });

  it("says the server refused this page's address and what to change, not that it cannot be reached, with a Try again button", () => {
    const error = new AlmaClientError({ code: "forbidden_origin", message: "The alma server at ws://127.0.0.1:3151/ws refused this page's address." });
    const onReconnect = vi.fn();
    render(
      <ConnectionBanner
        connection={{ status: "closed", error }}
        everConnected={false}
        serverUrl="ws://127.0.0.1:3151/ws"
        onReconnect={onReconnect}
        pageOrigin="http://192.168.1.5:3000"
      />,
    );
    const banner = screen.getByTestId("connection-banner");
    expect(banner.getAttribute("role")).toBe("alert");
    expect(banner.dataset.state).toBe("origin-refused");
    expect(banner.textContent).toContain("The alma server refused this page's address (http://192.168.1.5:3000).");
    expect(banner.textContent).toContain(
      "Add it to ALMA_ALLOWED_ORIGINS in the server's settings (.env at the repo root; the setting replaces the defaults, so list every address you open alma at) and restart the server.",
    );
    expect(banner.textContent).not.toContain("Cannot reach");
    expect(banner.textContent).not.toContain("Retrying");
    screen.getByRole("button", { name: "Try again" }).click();
    expect(onReconnect).toHaveBeenCalledTimes(1);
  });

  it("keeps saying so after the page had been connected (a server restarted with a narrower allow-list)", () => {
    const error = new AlmaClientError({ code: "forbidden_origin", message: "refused" });
    render(<ConnectionBanner connection={{ status: "closed", error }} everConnected serverUrl="ws://x/ws" onReconnect={noop} pageOrigin="http://lan:3000" />);
    const banner = screen.getByTestId("connection-banner");
    expect(banner.dataset.state).toBe("origin-refused");
    expect(banner.textContent).toContain("(http://lan:3000)");
    expect(banner.textContent).not.toContain("Connection lost");
  });
});
