import { countTokens as cl100k } from "gpt-tokenizer/encoding/cl100k_base";
import { countTokens as o200k } from "gpt-tokenizer/encoding/o200k_base";
import { countTokens as p50k } from "gpt-tokenizer/encoding/p50k_base";
import { describe, expect, it } from "vitest";
import { createEstimatingTokenCounter } from "./estimating-token-counter.js";

const SAMPLE = [
  "The quick brown fox jumps over the lazy dog.",
  "function add(a: number, b: number): number { return a + b; } // sum",
  "Der schnelle braune Fuchs springt über den faulen Hund. Straße, Größe, Übermaß.",
  "東京は日本の首都です。人工知能の研究が進んでいます。",
  "مرحبا بكم في عالم النماذج اللغوية الكبيرة",
  "Привет, как дела? Это тест токенизатора.",
  "😀👍🏽🎉 emoji mixed with text 🚀✨",
  "1234567890 3.14159 2026-05-01T12:00:00Z 0xDEADBEEF",
  '{"query":"weather in Paris","units":"metric","days":[1,2,3]}',
  "   lots   of    irregular\n\n\twhitespace   ",
];
const plain = { disallowedSpecial: new Set<string>() };

describe("createEstimatingTokenCounter", () => {
  it("over-counts the real o200k and cl100k tokenizers on a multilingual sample by default", () => {
    const est = createEstimatingTokenCounter();
    for (const text of SAMPLE) {
      const e = est.countText(text) as number;
      for (const real of [o200k, cl100k]) expect(e, text).toBeGreaterThanOrEqual(real(text, plain));
    }
  });

  it("covers a 50k vocabulary (p50k) too with bytesPerToken 1.5, which small-vocabulary servers should set", () => {
    const est = createEstimatingTokenCounter({ bytesPerToken: 1.5 });
    for (const text of SAMPLE) expect(est.countText(text) as number, text).toBeGreaterThanOrEqual(p50k(text, plain));
  });

  it("adds framing on top of OpenAI's per message and for the reply", () => {
    const est = createEstimatingTokenCounter();
    expect(est.countMessage({ role: "user", content: "" })).toBe(3 + 4 + (est.countText("user") as number));
    expect(est.replyPriming).toBe(7);
  });
});
