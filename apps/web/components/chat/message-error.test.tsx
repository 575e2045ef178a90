import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { MessageError } from "./message-error";

afterEach(cleanup);

describe("MessageError", () => {
  it("an answer cut by a shutdown offers Continue, not Retry, when it can be continued", () => {
    const onContinue = vi.fn();
    const onRetry = vi.fn();
    const error = {
      code: "shutting_down" as const,
      message: "The server shut down during this answer. The partial answer was kept; continue it when the server is back.",
      retryable: true,
    };
    render(<MessageError error={error} onRetry={onRetry} onContinue={onContinue} />);
    expect(screen.queryByTestId("retry")).toBeNull();
    fireEvent.click(screen.getByTestId("error-continue"));
    expect(onContinue).toHaveBeenCalledOnce();
    expect(onRetry).not.toHaveBeenCalled();
  });

  it("other failures keep their retry action", () => {
    render(<MessageError error={{ code: "provider_unavailable", message: "down", retryable: true }} onRetry={() => {}} onContinue={() => {}} />);
    expect(screen.getByTestId("retry").textContent).toContain("Retry");
    expect(screen.queryByTestId("error-continue")).toBeNull();
  });
});
