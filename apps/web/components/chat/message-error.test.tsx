import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { MessageError } from "./message-error";

afterEach(cleanup);

describe("MessageError", () => {
  it("a message too long for the model offers no Retry (the same text can only fail again) and says how to go on", () => {
    const error = { code: "message_too_long" as const, message: "Your message is 88,889 tokens long; it may be at most 3,861.", retryable: false };
    render(<MessageError error={error} connected onRetry={vi.fn()} />);
    expect(screen.queryByTestId("retry")).toBeNull();
    expect(screen.getByText("The message is too long")).toBeTruthy();
    expect(screen.getByText(/Edit your message/)).toBeTruthy();
    expect(screen.getByText(error.message)).toBeTruthy();
  });

  it("an answer cut by a shutdown offers Continue, not Retry, when it can be continued", () => {
    const onContinue = vi.fn();
    const onRetry = vi.fn();
    const error = {
      code: "shutting_down" as const,
      message: "The server shut down during this answer. The partial answer was kept; continue it when the server is back.",
      retryable: true,
    };
    render(<MessageError error={error} connected onRetry={onRetry} onContinue={onContinue} />);
    expect(screen.queryByTestId("retry")).toBeNull();
    fireEvent.click(screen.getByTestId("error-continue"));
    expect(onContinue).toHaveBeenCalledOnce();
    expect(onRetry).not.toHaveBeenCalled();
  });

  it("says the interrupted answer's state once, and holds Continue until the server is back", () => {
    const onContinue = vi.fn();
    const error = {
      code: "shutting_down" as const,
      message: "The server shut down during this answer. The partial answer was kept; continue it when the server is back.",
      retryable: true,
    };
    const { rerender } = render(<MessageError error={error} connected={false} onContinue={onContinue} />);
    const lines = () => Array.from(screen.getByTestId("message-error").querySelectorAll("p"), (p) => p.textContent);
    expect(lines()).toEqual(["The server shut down during this answer", "The partial answer was kept: continue it when the server is back."]);
    const button = screen.getByTestId("error-continue") as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    fireEvent.click(button);
    expect(onContinue).not.toHaveBeenCalled();

    rerender(<MessageError error={error} connected onContinue={onContinue} />);
    expect(lines()).toEqual(["The server shut down during this answer", "The partial answer was kept: continue it now."]);
    fireEvent.click(screen.getByTestId("error-continue"));
    expect(onContinue).toHaveBeenCalledOnce();
  });

  it("other failures keep their retry action", () => {
    render(<MessageError error={{ code: "provider_unavailable", message: "down", retryable: true }} connected onRetry={() => {}} onContinue={() => {}} />);
    expect(screen.getByTestId("retry").textContent).toContain("Retry");
    expect(screen.queryByTestId("error-continue")).toBeNull();
  });
});
