import { describe, expect, it } from "vitest";
import { createOpenAITokenCounter } from "./openai-token-counter.js";
import { truncateToTokens } from "./truncate-to-tokens.js";

const counter = createOpenAITokenCounter("gpt-4o");

describe("truncateToTokens", () => {
  it("returns a text that fits unchanged", async () => {
    expect(await truncateToTokens(counter, "short text", 10)).toBe("short text");
  });

  it("cuts to a prefix within the bound, at a word when one is near", async () => {
    const text = Array.from({ length: 200 }, (_, i) => `word${i}`).join(" ");
    const cut = await truncateToTokens(counter, text, 50);
    expect(counter.countText(cut)).toBeLessThanOrEqual(50);
    expect(counter.countText(cut)).toBeGreaterThan(40);
    expect(text.startsWith(cut)).toBe(true);
    expect(text[cut.length]).toBe(" ");
  });

  it("never splits a code point, and gives an empty text for a bound of 0", async () => {
    const text = "😀".repeat(100);
    const cut = await truncateToTokens(counter, text, 7);
    expect(counter.countText(cut)).toBeLessThanOrEqual(7);
    expect(Array.from(cut).every((c) => c === "😀")).toBe(true);
    expect(await truncateToTokens(counter, text, 0)).toBe("");
  });
});
