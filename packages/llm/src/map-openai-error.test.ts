import { APIConnectionTimeoutError, APIError } from "openai";
import { describe, expect, it } from "vitest";
import { mapOpenAIError, parseRetryAfter } from "./map-openai-error.js";

const ctx = { model: "gpt-4o-mini", baseURL: "http://127.0.0.1:1/v1", afterFirstToken: false, streamStarted: false };

function apiError(status: number, error: object, headers: Record<string, string> = {}) {
  return APIError.generate(status, { error }, undefined, new Headers(headers));
}

describe("parseRetryAfter", () => {
  it("reads retry-after-ms, seconds and HTTP dates", () => {
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "1500" }))).toBe(1500);
    expect(parseRetryAfter(new Headers({ "retry-after": "2" }))).toBe(2000);
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter(new Headers({ "retry-after": "Wed, 01 Jan 2025 00:00:05 GMT" }), now)).toBe(5000);
    expect(parseRetryAfter(new Headers({ "retry-after": "soon" }))).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });
});

describe("mapOpenAIError", () => {
  it("treats an exhausted quota as a rate limit that retrying will not fix", () => {
    const e = mapOpenAIError(apiError(429, { message: "You exceeded your current quota", code: "insufficient_quota", type: "insufficient_quota" }), ctx);
    expect(e).toMatchObject({ code: "provider_rate_limit", retryable: false });
    expect(e.message).toContain("quota");
  });

  it("recognises a context error by its words when the code is missing", () => {
    const e = mapOpenAIError(apiError(400, { message: "This model's maximum context length is 8192 tokens." }), ctx);
    expect(e.code).toBe("provider_context_length");
  });

  it("maps the SDK's connection timeout to a retryable provider_timeout", () => {
    expect(mapOpenAIError(new APIConnectionTimeoutError(), ctx)).toMatchObject({ code: "provider_timeout", retryable: true });
  });

  it("maps 403 to provider_auth and 422 to provider_bad_request", () => {
    expect(mapOpenAIError(apiError(403, { message: "no access" }), ctx).code).toBe("provider_auth");
    expect(mapOpenAIError(apiError(422, { message: "bad" }), ctx).code).toBe("provider_bad_request");
  });

  it("calls a plain failure after the stream started an interrupted stream", () => {
    const e = mapOpenAIError(new TypeError("terminated"), { ...ctx, streamStarted: true, afterFirstToken: true });
    expect(e).toMatchObject({ code: "stream_interrupted", retryable: true, afterFirstToken: true });
  });
});
