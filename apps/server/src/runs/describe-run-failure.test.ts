import { describe, expect, it } from "vitest";
import { LlmError } from "@alma/llm";
import { ContextOverflowError } from "@alma/memory";
import { describeRunFailure } from "./describe-run-failure.js";

describe("describeRunFailure", () => {
  it("names the limit for a message that can never fit", () => {
    const f = describeRunFailure(new ContextOverflowError("message_too_long", "x", { maxTokens: 700, actualTokens: 9000 }));
    expect(f).toMatchObject({ code: "message_too_long", retryable: false });
    expect(f.message).toContain("700");
    expect(f.message).toContain("9000");
  });

  it("keeps a provider error's code and retryability", () => {
    expect(describeRunFailure(new LlmError("provider_rate_limit", "slow down", { retryable: true }))).toEqual({
      code: "provider_rate_limit",
      message: "slow down",
      retryable: true,
    });
  });

  it("never leaks an unknown error's text", () => {
    const f = describeRunFailure(new Error("SQLITE_CORRUPT at /secret/path"));
    expect(f.code).toBe("internal");
    expect(f.message).not.toContain("secret");
  });
});
