import { z } from "zod";
import type { DocumentIndex } from "./document-index.js";
import { defineTool } from "./tool-definition.js";
import { ToolError } from "./tool-error.js";

/** A passage as the researcher quotes it, with where it is. */
export interface Quote {
  /** the document's name, as the person attached it */
  document: string;
  documentId: string;
  page?: number;
  line: number;
  /** character offsets in the document's stored text */
  offset: { start: number; end: number };
  text: string;
  score: number;
}

export interface DocumentSearchResult {
  query: string;
  quotes: Quote[];
}

export interface ResearcherSearchOptions {
  /** passages when the model does not say; default 5 */
  defaultLimit?: number;
  /** the quotes' tokens together; default 1,500 */
  maxTokens?: number;
}

const searchArguments = z.object({
  query: z.string().trim().min(1).max(500).describe("keywords or a question: names, numbers and rare words find passages best"),
  limit: z.number().int().min(1).max(10).optional().describe("how many passages at most (default 5)"),
});

/** `search_documents`: the researcher's way into a conversation's attached documents, one budgeted search at a time. */
export function createResearcherSearchTool(index: DocumentIndex, options: ResearcherSearchOptions = {}) {
  return defineTool({
    name: "search_documents",
    description:
      "Search the documents attached to this conversation and get the best-matching passages, each with its document and page (or line). " +
      "Quote what you use and cite it as (document, page N) or (document, line N). Search again with other words if nothing fits.",
    parameters: searchArguments,
    run({ query, limit }): DocumentSearchResult | ToolError {
      if (index.documents().length === 0) return new ToolError("no_documents", "No documents are attached to this conversation.");
      const { passages } = index.search(query, { limit: limit ?? options.defaultLimit ?? 5, maxTokens: options.maxTokens ?? 1_500 });
      const quotes = passages.map((p): Quote => {
        const quote: Quote = {
          document: p.documentName,
          documentId: p.documentId,
          line: p.line,
          offset: { start: p.start, end: p.end },
          text: p.text,
          score: p.score,
        };
        if (p.page !== undefined) quote.page = p.page;
        return quote;
      });
      return { query, quotes };
    },
    toModelText({ query, quotes }) {
      if (quotes.length === 0) {
        const names = index.documents().map((d) => d.name);
        return `No passage of the attached documents (${names.join(", ")}) matches "${query}". Try other words: names, numbers, rare terms.`;
      }
      const header = `${quotes.length} passage${quotes.length === 1 ? "" : "s"} for "${query}", best first. Cite what you use as shown in brackets.`;
      return [header, ...quotes.map((q, i) => `[${i + 1}] (${citation(q)})\n${q.text}`)].join("\n\n");
    },
  });
}

/** "report.pdf, page 170" or "notes.txt, line 12". */
export function citation(quote: Pick<Quote, "document" | "page" | "line">): string {
  return quote.page !== undefined ? `${quote.document}, page ${quote.page}` : `${quote.document}, line ${quote.line}`;
}
