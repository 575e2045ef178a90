import { describe, expect, it } from "vitest";
import { DocumentIndex } from "./document-index.js";
import { estimateTokens } from "./estimate-tokens.js";
import { PAGE_170_FACT, asPagedText, twoHundredPages } from "./test-documents.js";

describe("DocumentIndex", () => {
  it("finds the one passage on page 170 of a 200-page document first, within the budget", () => {
    const { text, pages } = asPagedText(twoHundredPages());
    const index = new DocumentIndex();
    const added = index.add({ id: "doc-1", name: "harbour-history.pdf", text, pages });
    // far more than a context window: it must be retrieved, never inlined
    expect(added.tokens).toBeGreaterThan(100_000);

    const result = index.search("Who repaired the foghorn, and with what?", { limit: 3, maxTokens: 400 });
    const first = result.passages[0]!;
    expect(first).toMatchObject({ documentId: "doc-1", documentName: "harbour-history.pdf", page: 170 });
    expect(first.text).toContain(PAGE_170_FACT);
    expect(text.slice(first.start, first.end)).toBe(first.text);
    const tokens = result.passages.reduce((sum, p) => sum + estimateTokens(p.text), 0);
    expect(tokens).toBe(result.totalTokens);
    expect(tokens).toBeLessThanOrEqual(400);
  });

  it("searches across a conversation's documents and can be narrowed to some", () => {
    const index = new DocumentIndex();
    index.add({ id: "a", name: "a.txt", text: "Invoices are due within thirty days of delivery." });
    index.add({ id: "b", name: "b.md", text: "The warranty covers parts and labour for two years." });
    expect(index.search("how long is the warranty")).toMatchObject({ passages: [{ documentId: "b", line: 1, start: 0 }] });
    expect(index.search("warranty", { documentIds: ["a"] }).passages).toEqual([]);
    expect(index.documents().map((d) => d.name)).toEqual(["a.txt", "b.md"]);
  });

  it("skips a passage mostly covered by a better one, so the budget buys new text", () => {
    const text = Array.from({ length: 30 }, (_, i) => `Line ${i} mentions the turbine blade inspection routine.`).join(" ");
    const index = new DocumentIndex({ maxTokens: 60, overlapTokens: 45 });
    index.add({ id: "t", name: "t.txt", text });
    const { passages } = index.search("turbine blade inspection", { limit: 10, maxTokens: 10_000 });
    for (let i = 0; i < passages.length; i++) {
      for (let j = 0; j < i; j++) {
        const shared = Math.max(0, Math.min(passages[i]!.end, passages[j]!.end) - Math.max(passages[i]!.start, passages[j]!.start));
        expect(shared).toBeLessThanOrEqual((passages[i]!.end - passages[i]!.start) / 2);
      }
    }
  });

  it("cuts the best passage when no passage fits the budget whole", () => {
    const index = new DocumentIndex({ maxTokens: 200 });
    index.add({ id: "x", name: "x.txt", text: `The secret ingredient is cardamom. ${"Filler words go on and on here. ".repeat(20)}` });
    const result = index.search("secret ingredient", { maxTokens: 10 });
    expect(result.passages).toHaveLength(1);
    expect(result.passages[0]).toMatchObject({ truncated: true, text: "The secret ingredient is cardamom." });
    expect(result.totalTokens).toBeLessThanOrEqual(10);
  });

  it("replaces a document added again and forgets a removed one", () => {
    const index = new DocumentIndex();
    index.add({ id: "d", name: "d.txt", text: "Old text about zebras." });
    index.add({ id: "d", name: "d.txt", text: "New text about giraffes." });
    expect(index.search("zebras").passages).toEqual([]);
    expect(index.search("giraffes").passages).toHaveLength(1);
    expect(index.remove("d")).toBe(true);
    expect(index.search("giraffes").passages).toEqual([]);
    expect(index.passageCount).toBe(0);
  });
});
