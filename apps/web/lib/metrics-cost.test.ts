import { describe, expect, it } from "vitest";
import { KNOWN_MODEL_PRICES } from "@alma/protocol";
import type { UiMessage } from "./ui-message";
import { conversationCost, runCost } from "./metrics-cost";
import { analyticalMetrics, blankAnswer } from "./metrics-fixtures.test-helpers";

describe("runCost", () => {
  it("prices every request's tokens at the model's entry (a dated name matches its base)", () => {
    const c = runCost(analyticalMetrics({ promptTokens: 1_000_000, completionTokens: 500_000 }), KNOWN_MODEL_PRICES);
    expect(c.price?.model).toBe("gpt-4o-mini");
    // 1M in at $0.15 and 0.5M out at $0.60
    expect(c.usd).toBeCloseTo(0.15 + 0.3);
  });

  it("a model on this machine costs nothing unless priced; a hosted one without a price says no price (not $0)", () => {
    const local = analyticalMetrics({ provider: "local", model: "qwen2.5-0.5b-instruct-q4_k_m.gguf" });
    expect(runCost(local, KNOWN_MODEL_PRICES)).toMatchObject({ usd: 0, price: { inputPerMillion: 0, outputPerMillion: 0 } });
    const hosted = analyticalMetrics({ provider: "openai", model: "llama3.1:8b" });
    expect(runCost(hosted, KNOWN_MODEL_PRICES)).toMatchObject({ price: null, usd: null });
    const priced = runCost(local, [...KNOWN_MODEL_PRICES, { model: "qwen2.5-0.5b-instruct-q4_k_m.gguf", inputPerMillion: 1, outputPerMillion: 2 }]);
    expect(priced.usd).toBeCloseTo((1667 * 1 + 282 * 2) / 1_000_000);
  });

  it("costs nothing for a cache hit: no model was asked", () => {
    expect(runCost(analyticalMetrics({ cacheHit: true }), KNOWN_MODEL_PRICES)).toMatchObject({ usd: 0, cacheHit: true });
  });
});

describe("conversationCost", () => {
  const withMetrics = (id: string, over: Parameters<typeof analyticalMetrics>[0]): UiMessage => ({ ...blankAnswer, id, metrics: analyticalMetrics(over) });

  it("adds up tokens of every measured answer and dollars of the priced ones, naming the unpriced models", () => {
    const messages: UiMessage[] = [
      { ...blankAnswer, id: "u", role: "user" },
      withMetrics("a1", { promptTokens: 1_000_000, completionTokens: 0 }),
      withMetrics("a2", { model: "fake-model", promptTokens: 10, completionTokens: 5 }),
      withMetrics("a3", { model: "gpt-4o", promptTokens: 0, completionTokens: 1_000_000 }),
      { ...blankAnswer, id: "a4", status: "streaming" },
    ];
    const c = conversationCost(messages, KNOWN_MODEL_PRICES);
    expect(c).toMatchObject({ runs: 3, promptTokens: 1_000_010, completionTokens: 1_000_005, pricedRuns: 2, unpricedRuns: 1, unpricedModels: ["fake-model"] });
    expect(c.usd).toBeCloseTo(0.15 + 10);
  });

  it("has no dollars when no answer has a price", () => {
    const c = conversationCost([withMetrics("a1", { model: "fake-model" })], KNOWN_MODEL_PRICES);
    expect(c).toMatchObject({ usd: null, unpricedRuns: 1 });
    expect(conversationCost([], KNOWN_MODEL_PRICES)).toMatchObject({ runs: 0, usd: null });
  });
});
