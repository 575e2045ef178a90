import { describe, expect, it } from "vitest";
import { KNOWN_MODEL_PRICES, estimateCost, formatUsd, priceFor, priceForRun } from "./model-prices.js";

describe("model prices", () => {
  it("finds the most specific entry for dated and variant names", () => {
    expect(priceFor("gpt-4o-2024-08-06", KNOWN_MODEL_PRICES)?.model).toBe("gpt-4o");
    expect(priceFor("gpt-4o-mini-2024-07-18", KNOWN_MODEL_PRICES)?.model).toBe("gpt-4o-mini");
    expect(priceFor("openai/gpt-4.1-nano", KNOWN_MODEL_PRICES)?.model).toBe("gpt-4.1-nano");
    expect(priceFor("llama3.1:8b", KNOWN_MODEL_PRICES)).toBeNull();
    // a name is matched whole or before a separator: gpt-4 is not gpt-4o
    expect(priceFor("gpt-4o", [{ model: "gpt-4", inputPerMillion: 1, outputPerMillion: 1 }])).toBeNull();
  });

  it("prices prompt and completion tokens apart", () => {
    const price = { model: "m", inputPerMillion: 2.5, outputPerMillion: 10 };
    expect(estimateCost({ promptTokens: 1_000_000, completionTokens: 0 }, price)?.usd).toBe(2.5);
    expect(estimateCost({ promptTokens: 1200, completionTokens: 300 }, price)?.usd).toBeCloseTo(0.006, 10);
    expect(estimateCost({ promptTokens: 1, completionTokens: 1 }, null)).toBeNull();
  });

  it("formats dollars for people", () => {
    expect(formatUsd(0)).toBe("$0");
    expect(formatUsd(0.00001)).toBe("< $0.0001");
    expect(formatUsd(0.0042)).toBe("$0.0042");
    expect(formatUsd(1.234)).toBe("$1.23");
    expect(formatUsd(1234.5)).toBe("$1,235");
  });

  it("a model on this machine costs nothing unless the table prices it; a hosted one without a price has none", () => {
    expect(priceForRun({ model: "stories260K.gguf", provider: "local" }, KNOWN_MODEL_PRICES)).toEqual({
      model: "stories260K.gguf",
      inputPerMillion: 0,
      outputPerMillion: 0,
    });
    const priced = [{ model: "stories260K.gguf", inputPerMillion: 0.01, outputPerMillion: 0.02 }];
    expect(priceForRun({ model: "stories260K.gguf", provider: "local" }, priced)).toEqual(priced[0]);
    expect(priceForRun({ model: "llama3.1:8b", provider: "openai" }, KNOWN_MODEL_PRICES)).toBeNull();
    expect(priceForRun({ model: "gpt-4o-mini-2024-07-18", provider: "openai" }, KNOWN_MODEL_PRICES)?.model).toBe("gpt-4o-mini");
  });
});
