import { type CountTokens, DocumentIndex, estimateTokens } from "@alma/tools";
import type { RunDocument } from "./agent-run.js";

/** a document as the planner and the researcher are told of it */
export interface DocumentSummary {
  name: string;
  /** "12 pages, about 9,000 tokens" / "about 300 tokens" */
  size: string;
  tokens: number;
}

/**
 * One run's attached documents: what the planner is told of them, and one DocumentIndex over them, built on first
 * use and shared by every researcher step. The index chunks with a synchronous counter (the estimate is fine for
 * cutting passages); whatever goes into a prompt is counted and fitted by the run's own measure.
 */
export class RunDocuments {
  private built: DocumentIndex | null = null;

  constructor(
    readonly documents: readonly RunDocument[],
    private readonly countTokens: CountTokens = estimateTokens,
  ) {}

  get size(): number {
    return this.documents.length;
  }

  get index(): DocumentIndex {
    if (!this.built) {
      const index = new DocumentIndex({ countTokens: this.countTokens });
      for (const d of this.documents) index.add({ id: d.id, name: d.name, text: d.text, ...(d.pages ? { pages: d.pages } : {}) });
      this.built = index;
    }
    return this.built;
  }

  summaries(): DocumentSummary[] {
    return this.documents.map((d) => {
      const tokens = this.countTokens(d.text);
      const about = `about ${tokens.toLocaleString("en-US")} tokens`;
      const pages = d.pages?.length;
      return { name: d.name, tokens, size: pages ? `${pages} page${pages === 1 ? "" : "s"}, ${about}` : about };
    });
  }

  /** the names of the documents, for matching a question that mentions one */
  names(): string[] {
    return this.documents.map((d) => d.name);
  }
}

/**
 * A document as the researcher reads it whole: page marks for a PDF, numbered lines otherwise, so every quote
 * can cite its place as the search tool's citations do.
 */
export function inlineDocumentText(doc: RunDocument): string {
  if (doc.pages && doc.pages.length > 0) return doc.pages.map((p) => `[page ${p.number}]\n${doc.text.slice(p.start, p.end)}`).join("\n\n");
  return doc.text
    .split("\n")
    .map((line, i) => `${i + 1}: ${line}`)
    .join("\n");
}
