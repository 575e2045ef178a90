import { countOpenAITextTokens } from "@alma/llm";
import { describe, expect, it } from "vitest";
import type { RunDocument } from "./agent-run.js";
import { INLINE_MAX_TOKENS, inlineDocuments } from "./inline-documents.js";
import { documentsForRequest, documentsLabel } from "./request-documents.js";
import { RunDocuments } from "./run-documents.js";
import { asPagedText, PAGE_170_FACT, twoHundredPages } from "../../tools/src/test-documents.js";

const measure = {
  countText: async (t: string) => countOpenAITextTokens(t),
  truncate: async (t: string, max: number) => {
    let cut = t.slice(0, max * 4);
    while (cut && countOpenAITextTokens(cut) > max) cut = cut.slice(0, Math.floor(cut.length * 0.9));
    return cut;
  },
};
const paged = asPagedText(twoHundredPages());
const BIG: RunDocument = { id: "big", name: "minutes.pdf", kind: "pdf", text: paged.text, pages: paged.pages, messageId: null };
const SMALL: RunDocument = { id: "small", name: "notes.md", kind: "markdown", text: "# Launch\n\nThe launch date is 14 March.", messageId: null };
const QUESTION = "Who repaired the foghorn, and when is the launch?";

describe("documentsForRequest", () => {
  it("carries the small document whole and the large one's best passage, within the room", async () => {
    const docs = await documentsForRequest(new RunDocuments([BIG, SMALL]), { query: QUESTION, room: 1_000, window: 4096, measure });
    expect(docs.left).toEqual([]);
    expect(docs.text).toContain("3: The launch date is 14 March.");
    expect(docs.text).toContain(PAGE_170_FACT);
    expect(docs.text).toContain("(minutes.pdf, page 170)");
    expect(docs.tokens).toBe(countOpenAITextTokens(docs.text!));
    expect(docs.tokens).toBeLessThanOrEqual(1_000);
  });

  it("cuts the passages to a small room, and never goes over it", async () => {
    for (const room of [120, 200, 400]) {
      const docs = await documentsForRequest(new RunDocuments([BIG]), { query: "foghorn bicycle chain", room, window: 4096, measure });
      expect(countOpenAITextTokens(docs.text ?? "")).toBeLessThanOrEqual(room);
      if (room >= 400) expect(docs.text).toContain("Marisol Quintero");
    }
  });

  it("quotes a large document's beginning when no passage matches the question", async () => {
    const docs = await documentsForRequest(new RunDocuments([BIG]), { query: "zyxwv", room: 600, window: 4096, measure });
    expect(docs.text).toContain("The beginning of minutes.pdf (no passage matched the question)");
    expect(docs.text).toContain("[page 1]\nPage 1.");
    expect(docs.left).toEqual([]);
  });

  it("names every document left out when none of their text fits, with a note only when the note itself fits", async () => {
    const some = await documentsForRequest(new RunDocuments([BIG, SMALL]), { query: QUESTION, room: 60, window: 4096, measure });
    expect(some.left).toEqual(["minutes.pdf", "notes.md"]);
    expect(some.text).toContain("None of their text fits in the model's window");
    expect(some.tokens).toBeLessThanOrEqual(60);
    expect(documentsLabel("Writing the answer", some)).toBe("Writing the answer without the attached documents: none of their text fits the model's window");
    const none = await documentsForRequest(new RunDocuments([SMALL]), { query: QUESTION, room: 0, window: 4096, measure });
    expect(none).toMatchObject({ text: null, tokens: 0, left: ["notes.md"] });
  });
});

describe("inlineDocuments: the one inlining rule", () => {
  it("reads documents whole only within INLINE_MAX_TOKENS and half the room, smallest first", async () => {
    const docs = new RunDocuments([BIG, SMALL]);
    const roomy = await inlineDocuments(docs, 10_000, measure);
    expect(roomy.inlined.map((d) => d.name)).toEqual(["notes.md"]);
    expect(roomy.rest.map((d) => d.name)).toEqual(["minutes.pdf"]);
    const small = roomy.inlined[0]!.tokens;
    expect((await inlineDocuments(docs, small * 2, measure)).inlined).toHaveLength(1);
    expect((await inlineDocuments(docs, small * 2 - 1, measure)).inlined).toHaveLength(0);
    const page = (n: number) => paged.text.slice(paged.pages[n]!.start, paged.pages[n]!.end);
    const middling: RunDocument = { id: "m", name: "m.txt", kind: "text", text: Array.from({ length: 12 }, (_, i) => page(i)).join("\n"), messageId: null };
    expect(countOpenAITextTokens(middling.text)).toBeGreaterThan(INLINE_MAX_TOKENS);
    expect((await inlineDocuments(new RunDocuments([middling]), 100_000, measure)).inlined).toHaveLength(0);
  });
});
