import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import type { WelcomeFrame } from "@alma/client";
import { ConnectionBanner } from "./connection-banner";

afterEach(cleanup);
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

  it("names the server it cannot reach before the first connection", () => {
    render(
      <ConnectionBanner
        connection={{ status: "reconnecting", attempt: 1, delayMs: 500, nextAttemptAt: 0, lastError: null }}
        everConnected={false}
        serverUrl="ws://127.0.0.1:8787/ws"
        onReconnect={noop}
      />,
    );
    expect(screen.getByTestId("connection-banner").textContent).toContain("ws://127.0.0.1:8787/ws");
  });
});
