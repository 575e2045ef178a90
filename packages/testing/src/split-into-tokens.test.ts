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

describe("splitIntoModelTokens", () => {
  it("gives o200k's pieces, which join back to the text", async () => {
    const { splitIntoModelTokens } = await import("./split-into-model-tokens.js");
    const json = JSON.stringify({ steps: [{ id: "s1", title: "Weigh latency", dependsOn: [] }] });
    const pieces = splitIntoModelTokens(json);
    expect(pieces.join("")).toBe(json);
    // far fewer than one per punctuation mark
    expect(pieces.length).toBeLessThan(splitIntoTokens(json).length);
    expect(splitIntoModelTokens("naïve café ☕").join("")).toBe("naïve café ☕");
  });
});
