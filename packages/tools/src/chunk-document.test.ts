import { describe, expect, it } from "vitest";
import { chunkDocument } from "./chunk-document.js";
import { estimateTokens } from "./estimate-tokens.js";
import { asPagedText, twoHundredPages } from "./test-documents.js";

const sentences = (n: number) => Array.from({ length: n }, (_, i) => `Sentence number ${i} says something short.`).join(" ");

describe("chunkDocument", () => {
  it("keeps small paragraphs whole and each passage an exact slice of the text", () => {
    const text = "First paragraph here.\n\nSecond paragraph, a bit longer than the first.\n\n\nThird.";
    const passages = chunkDocument({ id: "d", name: "d.txt", text }, { maxTokens: 100 });
    expect(passages).toHaveLength(1);
    expect(passages[0]).toMatchObject({ documentId: "d", documentName: "d.txt", start: 0, end: text.length, line: 1 });
    for (const p of chunkDocument({ id: "d", name: "d.txt", text }, { maxTokens: 12, overlapTokens: 0 })) {
      expect(p.text).toBe(text.slice(p.start, p.end));
      expect(p.tokens).toBe(estimateTokens(p.text));
      expect(p.line).toBe(text.slice(0, p.start).split("\n").length);
    }
  });

  it("splits a long paragraph by sentences within the limit, overlapping by a sentence", () => {
    const text = sentences(60);
    const passages = chunkDocument({ id: "d", name: "d", text }, { maxTokens: 50, overlapTokens: 12 });
    expect(passages.length).toBeGreaterThan(10);
    for (const p of passages) {
      expect(p.tokens).toBeLessThanOrEqual(52); // the spaces between sentences are not in the sum
      expect(p.text).toMatch(/^Sentence number \d+/);
      expect(p.text).toMatch(/short\.$/);
    }
    // consecutive passages share their boundary sentence
    for (let i = 1; i < passages.length; i++) expect(passages[i]!.start).toBeLessThan(passages[i - 1]!.end);
    // and together cover the whole text
    expect(passages[0]!.start).toBe(0);
    expect(passages.at(-1)!.end).toBe(text.length);
  });

  it("cuts a sentence with no punctuation by words, and one huge word by characters", () => {
    const words = Array.from({ length: 300 }, (_, i) => `w${i}`).join(" ");
    for (const p of chunkDocument({ id: "d", name: "d", text: words }, { maxTokens: 20, overlapTokens: 0 })) {
      expect(p.tokens).toBeLessThanOrEqual(20);
      expect(p.text).toMatch(/^w\d+.*w\d+$/);
    }
    const blob = "x".repeat(1000);
    const pieces = chunkDocument({ id: "d", name: "d", text: blob }, { maxTokens: 25, overlapTokens: 0 });
    expect(pieces.map((p) => p.text).join("")).toBe(blob);
    expect(Math.max(...pieces.map((p) => p.tokens))).toBeLessThanOrEqual(25);
  });

  it("never lets a passage cross a page, and says its page", () => {
    const { text, pages } = asPagedText(twoHundredPages(10).slice(0, 5));
    const passages = chunkDocument({ id: "p", name: "p.pdf", text, pages }, { maxTokens: 60 });
    for (const p of passages) {
      const page = pages.find((s) => s.number === p.page)!;
      expect(p.start).toBeGreaterThanOrEqual(page.start);
      expect(p.end).toBeLessThanOrEqual(page.end);
    }
    expect(new Set(passages.map((p) => p.page))).toEqual(new Set([1, 2, 3, 4, 5]));
  });

  it("counts with the function it is given", () => {
    const words = (t: string) => t.split(/\s+/).filter(Boolean).length;
    for (const p of chunkDocument({ id: "d", name: "d", text: sentences(40) }, { maxTokens: 30, overlapTokens: 6, countTokens: words })) {
      expect(words(p.text)).toBeLessThanOrEqual(30);
    }
  });

  it("refuses an overlap as large as the passage", () => {
    expect(() => chunkDocument({ id: "d", name: "d", text: "x" }, { maxTokens: 10, overlapTokens: 10 })).toThrow(RangeError);
  });
});
