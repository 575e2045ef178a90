import { describe, expect, it } from "vitest";
import { parseContextLimit } from "./parse-context-limit.js";

describe("parseContextLimit", () => {
  it("reads OpenAI's refusal, both wordings, not the requested size", () => {
    expect(
      parseContextLimit(
        "This model's maximum context length is 8192 tokens. However, you requested 4120 tokens (3120 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.",
      ),
    ).toBe(8192);
    expect(
      parseContextLimit(
        "This model's maximum context length is 8192 tokens. However, your messages resulted in 8227 tokens. Please reduce the length of the messages.",
      ),
    ).toBe(8192);
  });

  it("reads both of vLLM's wordings", () => {
    expect(
      parseContextLimit(
        "This model's maximum context length is 32768 tokens. However, your request has 40000 input tokens. Please reduce the length of the input messages.",
      ),
    ).toBe(32768);
    expect(
      parseContextLimit(
        "'max_tokens' or 'max_completion_tokens' is too large: 5000. This model's maximum context length is 4096 tokens and your request has 200 input tokens (5000 > 4096 - 200).",
      ),
    ).toBe(4096);
  });

  it("reads llama.cpp's message, and prefers n_ctx from its error body", () => {
    const message = "request (4476 tokens) exceeds the available context size (4096 tokens), try increasing it";
    expect(parseContextLimit(message)).toBe(4096);
    const body = { code: 400, message, type: "exceed_context_size_error", n_prompt_tokens: 4476, n_ctx: 4096 };
    expect(parseContextLimit("400 status code (no body)", body)).toBe(4096);
    expect(parseContextLimit("", { error: { ...body, n_ctx: 2048 } })).toBe(2048);
  });

  it("reads LM Studio's refusals, also from a bare string body", () => {
    const message =
      "Trying to keep the first 10136 tokens when context the overflows. However, the model is loaded with context length of only 7866 tokens, which is not enough. Try to load the model with a larger context length, or provide a shorter input";
    expect(parseContextLimit(message)).toBe(7866);
    expect(parseContextLimit("400 status code", message)).toBe(7866);
    expect(parseContextLimit("However, the model is loaded with a context length of only 4096 tokens, which is not enough.")).toBe(4096);
    expect(
      parseContextLimit(
        "The number of tokens to keep from the initial prompt is greater than the context length (n_keep: 13055>= n_ctx: 4096). Try to load the model with a larger context length, or provide a shorter input.",
      ),
    ).toBe(4096);
  });

  it("reads other servers' wordings", () => {
    expect(parseContextLimit("The input (5000 tokens) is longer than the model's context length (4096 tokens).")).toBe(4096);
    expect(parseContextLimit("prompt exceeds the context window of 131,072 tokens")).toBe(131_072);
    expect(parseContextLimit("llama_decode failed: n_ctx = 2048")).toBe(2048);
    expect(parseContextLimit("Error: Input length 6491 exceeds context length 1500")).toBe(1500);
    expect(parseContextLimit("Requested token count exceeds the model's maximum context length of 131072 tokens.")).toBe(131_072);
    expect(
      parseContextLimit("Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 4000 `inputs` tokens and 200 `max_new_tokens`"),
    ).toBe(4096);
  });

  it("returns null when no window is named", () => {
    expect(parseContextLimit("Input is too long for the requested model.")).toBeNull();
    expect(parseContextLimit("you requested 4120 tokens")).toBeNull();
    expect(parseContextLimit("context_length_exceeded", { code: "context_length_exceeded", n_ctx: "lots" })).toBeNull();
    expect(parseContextLimit("maximum context length is 0 tokens")).toBeNull();
  });
});
