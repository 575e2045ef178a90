import { describe, expect, it } from "vitest";
import { errorHelp } from "./error-help";

describe("errorHelp", () => {
  it("points each kind of failure at the action that helps", () => {
    expect(errorHelp({ code: "provider_auth", message: "", retryable: false }, true).action).toBe("check-key");
    expect(errorHelp({ code: "model_not_ready", message: "", retryable: true }, true).action).toBe("wait-model");
    expect(errorHelp({ code: "provider_context_length", message: "too long by 120 tokens", retryable: false }, true).action).toBe("shorten");
    expect(errorHelp({ code: "provider_unavailable", message: "", retryable: true }, true).action).toBe("retry");
    expect(errorHelp({ code: "internal", message: "", retryable: false }, true).action).toBe("none");
    expect(errorHelp({ code: "shutting_down", message: "", retryable: true }, true).action).toBe("continue");
    expect(
      errorHelp({ code: "forbidden_origin", message: "forbidden_origin: http://10.0.0.5:3000 is not in ALMA_ALLOWED_ORIGINS", retryable: false }, true),
    ).toMatchObject({
      title: "The alma server refused this page's address",
      action: "none",
    });
  });

  it("tells an interrupted answer's reader when to continue it: now, or once the server is back", () => {
    const error = { code: "shutting_down" as const, message: "The server shut down during this answer.", retryable: true };
    expect(errorHelp(error, true)).toMatchObject({ action: "continue", hint: "The partial answer was kept: continue it now.", showMessage: false });
    expect(errorHelp(error, false)).toMatchObject({
      action: "continue",
      hint: "The partial answer was kept: continue it when the server is back.",
      showMessage: false,
    });
    // other failures keep the server's own words
    expect(errorHelp({ code: "provider_unavailable", message: "down", retryable: true }, false).showMessage).toBe(true);
  });
});
