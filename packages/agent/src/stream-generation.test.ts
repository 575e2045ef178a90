import { describe, expect, it } from "vitest";
import { LlmError } from "@alma/llm";
import { streamGeneration } from "./stream-generation.js";
import { generateWithRetry } from "./generate-with-retry.js";
import { FakeChatModel } from "./testing/fake-chat-model.js";

const msgs = [{ role: "user" as const, content: "hi" }];

describe("streamGeneration", () => {
  it("counts with the given counter and stops at the budget with finish length", async () => {
    const model = new FakeChatModel(() => ({ deltas: ["ab", "cd", "ef", "gh"] }));
    const seen: string[] = [];
    const out = await streamGeneration(model, msgs, { maxOutputTokens: 100, budget: 4, countTokens: (d) => d.length, onDelta: (d) => seen.push(d) });
    expect(out).toMatchObject({ text: "abcd", finishReason: "length", completionTokens: 4, reported: false, error: null });
    expect(seen).toEqual(["ab", "cd"]);
  });
  it("counts the prompt when the stop at the budget comes before the provider's usage", async () => {
    const model = new FakeChatModel(() => ({ deltas: ["a", "b", "c", "d"] }));
    const out = await streamGeneration(model, msgs, { maxOutputTokens: 100, budget: 2, countPrompt: (m) => m.length * 100 });
    expect(out).toMatchObject({ finishReason: "length", completionTokens: 2, promptTokens: 100, reported: false });
  });
  it("falls back to the model's tokenizer, then to an estimate, for the prompt of a cut generation", async () => {
    const counting = Object.assign(new FakeChatModel(() => ({ deltas: ["a", "b", "c"] })), { countPromptTokens: async () => 42 });
    expect((await streamGeneration(counting, msgs, { maxOutputTokens: 100, budget: 1 })).promptTokens).toBe(42);
    const plain = new FakeChatModel(() => ({ deltas: ["a", "b", "c"] }));
    const long = [{ role: "user" as const, content: "x".repeat(400) }];
    expect((await streamGeneration(plain, long, { maxOutputTokens: 100, budget: 1 })).promptTokens).toBeGreaterThanOrEqual(100);
    const failing = Object.assign(new FakeChatModel(() => ({ deltas: ["a", "b"] })), {
      countPromptTokens: async () => {
        throw new Error("tokenizer gone");
      },
    });
    expect((await streamGeneration(failing, long, { maxOutputTokens: 100, budget: 1 })).promptTokens).toBeGreaterThanOrEqual(100);
  });
  it("counts no prompt for a request refused before any output", async () => {
    const model = new FakeChatModel(() => ({ deltas: [], error: new LlmError("provider_auth", "no") }));
    const out = await streamGeneration(model, msgs, { maxOutputTokens: 10, countPrompt: () => 99 });
    expect(out).toMatchObject({ finishReason: "error", promptTokens: 0 });
  });
  it("uses the provider's usage when the stream ends normally", async () => {
    const model = new FakeChatModel(() => ({ deltas: ["a", "b"] }));
    const out = await streamGeneration(model, msgs, { maxOutputTokens: 10, countTokens: () => 3 });
    expect(out).toMatchObject({ finishReason: "stop", completionTokens: 2, promptTokens: 10, reported: true });
  });
  it("returns a provider error with the partial text instead of throwing", async () => {
    const err = new LlmError("stream_interrupted", "cut", { afterFirstToken: true });
    const model = new FakeChatModel(() => ({ deltas: ["a", "b", "c"], failAfter: { deltas: 1, error: err } }));
    const out = await streamGeneration(model, msgs, { maxOutputTokens: 10 });
    expect(out).toMatchObject({ text: "a", finishReason: "error", completionTokens: 1 });
    expect(out.error).toBe(err);
  });
  it("reports an abort as aborted, not as an error", async () => {
    const ctrl = new AbortController();
    const model = new FakeChatModel(() => ({ deltas: ["a", "b", "c"], delayMs: 5 }));
    const out = await streamGeneration(model, msgs, { maxOutputTokens: 10, signal: ctrl.signal, onDelta: () => ctrl.abort() });
    expect(out).toMatchObject({ text: "a", finishReason: "aborted", error: null });
  });
});

describe("generateWithRetry", () => {
  const retry = { maxRetries: 2, baseMs: 1, maxMs: 10, random: () => 0 };
  it("does not retry 401s or 400s", async () => {
    for (const code of ["provider_auth", "provider_bad_request"] as const) {
      const model = new FakeChatModel(() => ({ deltas: [], error: new LlmError(code, "no") }));
      const out = await generateWithRetry(model, msgs, { maxOutputTokens: 5, retry });
      expect(out.error?.code).toBe(code);
      expect(model.calls).toHaveLength(1);
    }
  });
  it("honours Retry-After and stops waiting when aborted", async () => {
    const ctrl = new AbortController();
    const model = new FakeChatModel(() => ({ deltas: [], error: new LlmError("provider_rate_limit", "slow", { retryAfterMs: 10_000 }) }));
    const delays: number[] = [];
    setTimeout(() => ctrl.abort(), 30);
    const t0 = performance.now();
    const out = await generateWithRetry(model, msgs, { maxOutputTokens: 5, retry, signal: ctrl.signal, onRetry: (i) => delays.push(i.delayMs) });
    expect(performance.now() - t0).toBeLessThan(500);
    expect(delays).toEqual([10_000]);
    expect(out.finishReason).toBe("aborted");
  });
  it("re-trims only once on a context-length refusal", async () => {
    const model = new FakeChatModel(() => ({ deltas: [], error: new LlmError("provider_context_length", "too long") }));
    let shrinks = 0;
    const out = await generateWithRetry(model, msgs, {
      maxOutputTokens: 5,
      retry,
      onContextLength: async () => {
        shrinks++;
        return { messages: [{ role: "user", content: "shorter" }], maxOutputTokens: 4 };
      },
    });
    expect(shrinks).toBe(1);
    expect(model.calls).toHaveLength(2);
    expect(out.error?.code).toBe("provider_context_length");
  });
  it("never sends the same over-long request twice", async () => {
    const model = new FakeChatModel(() => ({ deltas: [], error: new LlmError("provider_context_length", "too long") }));
    const out = await generateWithRetry(model, msgs, {
      maxOutputTokens: 5,
      retry,
      onContextLength: async () => ({ messages: msgs, maxOutputTokens: 5 }),
    });
    expect(model.calls).toHaveLength(1);
    expect(out.error?.code).toBe("provider_context_length");
  });
});
