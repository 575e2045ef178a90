import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { describe, expect, it } from "vitest";
import { countOpenAIChatTokens, countOpenAITextTokens } from "./count-openai-chat-tokens.js";

describe("countOpenAIChatTokens", () => {
  it("adds 3 per message, 1 per name and 3 for reply priming to the encoded role and content", () => {
    const messages = [
      { role: "system", content: "You are helpful." },
      { role: "user", content: "What is the capital of France?", name: "ann" },
    ];
    const expected =
      3 +
      (3 + encode("system").length + encode("You are helpful.").length) +
      (3 + encode("user").length + encode("What is the capital of France?").length + 1 + encode("ann").length);
    expect(countOpenAIChatTokens(messages)).toBe(expected);
  });

  it("differs between encodings and treats special-token text as plain text", () => {
    const hindi = "नमस्ते दुनिया, आप कैसे हैं?";
    expect(countOpenAITextTokens(hindi, "o200k_base")).toBeLessThan(countOpenAITextTokens(hindi, "cl100k_base"));
    // as plain text the marker is several ordinary tokens, never the single end-of-text id
    expect(countOpenAITextTokens("<|endoftext|>")).toBeGreaterThan(1);
  });

  it("counts content parts and tool calls", () => {
    const withParts = countOpenAIChatTokens([{ role: "user", content: [{ type: "text", text: "Hello there" }] }]);
    expect(withParts).toBe(countOpenAIChatTokens([{ role: "user", content: "Hello there" }]));
    const withCall = countOpenAIChatTokens([{ role: "assistant", content: null, tool_calls: [{ function: { name: "search", arguments: '{"q":"x"}' } }] }]);
    expect(withCall).toBeGreaterThan(countOpenAIChatTokens([{ role: "assistant", content: null }]));
  });
});
