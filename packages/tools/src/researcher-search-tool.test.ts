import { describe, expect, it } from "vitest";
import { DocumentIndex } from "./document-index.js";
import { estimateTokens } from "./estimate-tokens.js";
import { extractAttachmentText } from "./extract-attachment-text.js";
import { type DocumentSearchResult, createResearcherSearchTool } from "./researcher-search-tool.js";
import { buildTestPdf } from "./test-pdf.js";
import { PAGE_170_FACT, twoHundredPages } from "./test-documents.js";
import { ToolRegistry } from "./tool-registry.js";

const ctx = () => ({ signal: new AbortController().signal });

describe("search_documents (tool)", () => {
  it("quotes page 170 of an attached 200-page PDF, with its document and page, within the budget", async () => {
    const extracted = await extractAttachmentText({ name: "harbour-history.pdf", bytes: buildTestPdf(twoHundredPages()) });
    expect(extracted.ok && extracted.pages?.length).toBe(200);
    if (!extracted.ok) return;
    const index = new DocumentIndex();
    index.add({ id: "att-1", name: "harbour-history.pdf", text: extracted.text, pages: extracted.pages });

    const registry = new ToolRegistry([createResearcherSearchTool(index, { maxTokens: 500 })]);
    const result = await registry.callTool(
      "search_documents",
      '{"query": "What did the lighthouse keeper\'s daughter repair the foghorn with?", "limit": 3}',
      ctx(),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { quotes } = result.value as DocumentSearchResult;
    expect(quotes[0]).toMatchObject({ document: "harbour-history.pdf", documentId: "att-1", page: 170 });
    // pdf.js reads the PDF's apostrophe (StandardEncoding quoteright) as ’
    expect(quotes[0]!.text.replaceAll("’", "'")).toContain(PAGE_170_FACT);
    expect(extracted.text.slice(quotes[0]!.offset.start, quotes[0]!.offset.end)).toBe(quotes[0]!.text);
    expect(quotes.reduce((sum, q) => sum + estimateTokens(q.text), 0)).toBeLessThanOrEqual(500);

    const text = result.toModelText();
    expect(text).toMatch(/^\d passages? for "What did the lighthouse/);
    expect(text).toContain("[1] (harbour-history.pdf, page 170)\n");
    expect(text.replaceAll("’", "'")).toContain(PAGE_170_FACT);
  }, 60_000);

  it("cites a line for a document without pages, and says when nothing matches", async () => {
    const index = new DocumentIndex({ maxTokens: 16, overlapTokens: 0 });
    index.add({ id: "n", name: "notes.md", text: "# Notes\n\nGeneral remarks about the building and its upkeep.\n\nThe boiler was serviced in March.\n" });
    const tool = createResearcherSearchTool(index);
    const registry = new ToolRegistry([tool]);
    const hit = await registry.callTool("search_documents", '{"query": "boiler service"}', ctx());
    expect(hit.ok && (hit.value as DocumentSearchResult).quotes[0]).toMatchObject({ document: "notes.md", line: 5 });
    expect(hit.toModelText()).toContain("[1] (notes.md, line 5)");
    const miss = await registry.callTool("search_documents", '{"query": "volcano"}', ctx());
    expect(miss.toModelText()).toBe('No passage of the attached documents (notes.md) matches "volcano". Try other words: names, numbers, rare terms.');
  });

  it("says so when the conversation has no documents, and refuses an empty query", async () => {
    const registry = new ToolRegistry([createResearcherSearchTool(new DocumentIndex())]);
    expect(await registry.callTool("search_documents", '{"query": "x"}', ctx())).toMatchObject({ ok: false, error: { code: "no_documents" } });
    expect(await registry.callTool("search_documents", '{"query": "   "}', ctx())).toMatchObject({ ok: false, error: { code: "invalid_arguments" } });
  });
});
