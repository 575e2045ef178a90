import { describe, expect, it } from "vitest";
import { errorHelp } from "./error-help";

describe("errorHelp", () => {
  it("points each kind of failure at the action that helps", () => {
    expect(errorHelp({ code: "provider_auth", message: "", retryable: false }).action).toBe("check-key");
    expect(errorHelp({ code: "model_not_ready", message: "", retryable: true }).action).toBe("wait-model");
    expect(errorHelp({ code: "provider_context_length", message: "too long by 120 tokens", retryable: false }).action).toBe("shorten");
    expect(errorHelp({ code: "provider_unavailable", message: "", retryable: true }).action).toBe("retry");
    expect(errorHelp({ code: "internal", message: "", retryable: false }).action).toBe("none");
    expect(errorHelp({ code: "shutting_down", message: "", retryable: true }).action).toBe("continue");
  });
});
