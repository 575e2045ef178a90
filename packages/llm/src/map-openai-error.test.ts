import { startFakeOpenAI, type FakeOpenAIOptions } from "@alma/testing";
import OpenAI, { APIConnectionTimeoutError, APIError } from "openai";
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

  it("recognises a context error by its words when the code is missing", () => {
    const e = mapOpenAIError(apiError(400, { message: "This model's maximum context length is 8192 tokens." }), ctx);
    expect(e).toMatchObject({ code: "provider_context_length", contextLimit: 8192 });
  });

  it("leaves contextLimit null on other errors and on refusals that name no window", () => {
    expect(mapOpenAIError(apiError(422, { message: "bad" }), ctx).contextLimit).toBeNull();
    const e = mapOpenAIError(apiError(400, { message: "too many tokens in the request", code: "context_length_exceeded" }), ctx);
    expect(e).toMatchObject({ code: "provider_context_length", contextLimit: null });
  });
});

describe("mapOpenAIError context refusals of each server", () => {
  it("reads OpenAI's context_length_exceeded and names the window in the message", () => {
    const e = mapOpenAIError(
      apiError(400, {
        message:
          "This model's maximum context length is 8192 tokens. However, you requested 4120 tokens (3120 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.",
        type: "invalid_request_error",
        param: "messages",
        code: "context_length_exceeded",
      }),
      ctx,
    );
    expect(e).toMatchObject({ code: "provider_context_length", contextLimit: 8192, status: 400, retryable: false });
    expect(e.message).toContain("8192 tokens");
  });

  it("reads both vLLM wordings", () => {
    const input = mapOpenAIError(
      apiError(400, {
        message:
          "This model's maximum context length is 32768 tokens. However, your request has 40000 input tokens. Please reduce the length of the input messages.",
        type: "BadRequestError",
        param: null,
        code: 400,
      }),
      ctx,
    );
    expect(input).toMatchObject({ code: "provider_context_length", contextLimit: 32768 });
    const output = mapOpenAIError(
      apiError(400, {
        message:
          "'max_tokens' or 'max_completion_tokens' is too large: 5000. This model's maximum context length is 4096 tokens and your request has 200 input tokens (5000 > 4096 - 200).",
        type: "BadRequestError",
        param: null,
        code: 400,
      }),
      ctx,
    );
    expect(output).toMatchObject({ code: "provider_context_length", contextLimit: 4096 });
  });

  it("recognises vLLM's output-cap wording even without the window sentence", () => {
    expect(mapOpenAIError(apiError(400, { message: "'max_tokens' or 'max_completion_tokens' is too large: 5000.", code: 400 }), ctx).code).toBe(
      "provider_context_length",
    );
  });

  it("reads llama.cpp's exceed_context_size_error by its type, and n_ctx from the body", () => {
    const e = mapOpenAIError(
      apiError(400, { code: 400, message: "request rejected", type: "exceed_context_size_error", n_prompt_tokens: 4476, n_ctx: 4096 }),
      ctx,
    );
    expect(e).toMatchObject({ code: "provider_context_length", contextLimit: 4096 });
  });

  it("reads LM Studio's bare-string error", () => {
    const message =
      "Trying to keep the first 6547 tokens when context the overflows. However, the model is loaded with context length of only 4096 tokens, which is not enough. Try to load the model with a larger context length, or provide a shorter input";
    const e = APIError.generate(400, { error: message }, undefined, new Headers());
    const mapped = mapOpenAIError(e, ctx);
    expect(mapped).toMatchObject({ code: "provider_context_length", contextLimit: 4096 });
    expect(mapped.message).toContain(message);
    expect(mapped.message).not.toContain('"Trying');
  });

  it("reads a context error event inside a stream", () => {
    const e = new APIError(
      undefined,
      { message: "request (5000 tokens) exceeds the available context size (4096 tokens)", type: "exceed_context_size_error" },
      undefined,
      undefined,
    );
    expect(mapOpenAIError(e, { ...ctx, streamStarted: true })).toMatchObject({ code: "provider_context_length", contextLimit: 4096, status: null });
  });
});

describe("mapOpenAIError against the fake server of each flavour", () => {
  const cases: Array<[FakeOpenAIOptions["flavour"], number]> = [
    ["openai", 64],
    ["vllm", 64],
    ["llamacpp", 64],
    ["lmstudio", 64],
  ];
  for (const [flavour, window] of cases) {
    it(`maps ${flavour}'s over-long refusal to provider_context_length with contextLimit ${window}`, async () => {
      const server = await startFakeOpenAI({ flavour, contextWindow: window });
      try {
        const client = new OpenAI({ baseURL: server.url, apiKey: "sk-test", maxRetries: 0 });
        const thrown = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "word ".repeat(200) }], stream: true }).then(
          () => null,
          (e: unknown) => e,
        );
        const mapped = mapOpenAIError(thrown, { ...ctx, baseURL: server.url });
        expect(mapped).toMatchObject({ code: "provider_context_length", contextLimit: window, status: 400 });
      } finally {
        await server.close();
      }
    });
  }
});
