import { describe, expect, it } from "vitest";
import { splitIntoTokens } from "./split-into-tokens.js";

describe("splitIntoTokens", () => {
  it("keeps leading whitespace with each word and punctuation apart", () => {
    expect(splitIntoTokens("Hello, big world!")).toEqual(["Hello", ",", " big", " world", "!"]);
  });

  it("concatenates back to the original text, newlines and trailing space included", () => {
    const text = "  Line one.\n\nLine two — ünïcode 42  ";
    expect(splitIntoTokens(text).join("")).toBe(text);
  });

  it("returns no tokens for empty text", () => {
    expect(splitIntoTokens("")).toEqual([]);
  });
});
