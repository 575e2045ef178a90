import MiniSearch from "minisearch";
import { type ChunkOptions, type DocumentText, type Passage, chunkDocument, longestFit } from "./chunk-document.js";
import { type CountTokens, estimateTokens } from "./estimate-tokens.js";

export interface SearchOptions {
  /** at most this many passages; default 5 */
  limit?: number;
  /** the passages' texts together stay within this; default 1,500 tokens */
  maxTokens?: number;
  /** only these documents */
  documentIds?: readonly string[];
}

export interface SearchHit extends Passage {
  /** BM25 score: higher is better, comparable within one search only */
  score: number;
  /** the passage was cut to fit the budget (only ever the best one, when nothing fitted whole) */
  truncated?: boolean;
}

export interface SearchResult {
  passages: SearchHit[];
  totalTokens: number;
}

export interface IndexedDocument {
  id: string;
  name: string;
  passages: number;
  /** the whole text's tokens: more than the context holds means retrieve, never inline */
  tokens: number;
}

// words that match everywhere and say nothing of what is asked
const STOP_WORDS = new Set(
  "a an and are as at be been but by can could did do does for from had has have how i if in into is it its me my of on or our so than that the their them then there these they this to was we were what when where which who whom why will with would you your".split(
    " ",
  ),
);

interface Entry {
  id: number;
  text: string;
}

/**
 * The attached documents of one conversation, cut into passages and indexed for BM25 search
 * (MiniSearch), so a step gets the passages it needs within a token budget instead of whole files.
 */
export class DocumentIndex {
  private readonly engine: MiniSearch<Entry>;
  private readonly passages = new Map<number, Passage>();
  private readonly byDocument = new Map<string, { name: string; ids: number[]; tokens: number }>();
  private readonly count: CountTokens;
  private readonly chunk: ChunkOptions;
  private nextId = 0;

  constructor(options: ChunkOptions = {}) {
    this.count = options.countTokens ?? estimateTokens;
    this.chunk = { ...options, countTokens: this.count };
    this.engine = new MiniSearch<Entry>({
      fields: ["text"],
      idField: "id",
      processTerm: (term) => {
        const t = term.toLowerCase().replace(/['’]s$/, "");
        return t.length === 0 || STOP_WORDS.has(t) ? null : t;
      },
      searchOptions: { prefix: (term) => term.length >= 5, fuzzy: (term) => (term.length >= 6 ? 0.2 : false), combineWith: "OR" },
    });
  }

  /** Indexes a document, replacing one with the same id. */
  add(doc: DocumentText): IndexedDocument {
    this.remove(doc.id);
    const ids: number[] = [];
    const entries: Entry[] = [];
    for (const passage of chunkDocument(doc, this.chunk)) {
      const id = this.nextId++;
      this.passages.set(id, passage);
      ids.push(id);
      entries.push({ id, text: passage.text });
    }
    this.engine.addAll(entries);
    const tokens = this.count(doc.text);
    this.byDocument.set(doc.id, { name: doc.name, ids, tokens });
    return { id: doc.id, name: doc.name, passages: ids.length, tokens };
  }

  remove(documentId: string): boolean {
    const doc = this.byDocument.get(documentId);
    if (!doc) return false;
    this.engine.discardAll(doc.ids);
    for (const id of doc.ids) this.passages.delete(id);
    this.byDocument.delete(documentId);
    return true;
  }

  documents(): IndexedDocument[] {
    return [...this.byDocument].map(([id, d]) => ({ id, name: d.name, passages: d.ids.length, tokens: d.tokens }));
  }

  get passageCount(): number {
    return this.passages.size;
  }

  /**
   * The best passages for a query, best first, within `limit` and `maxTokens`. A passage mostly
   * covered by a better one (the chunks overlap) is skipped, so the budget buys new text.
   */
  search(query: string, options: SearchOptions = {}): SearchResult {
    const limit = options.limit ?? 5;
    const budget = options.maxTokens ?? 1_500;
    const only = options.documentIds ? new Set(options.documentIds) : undefined;
    const hits = this.engine.search(query, only ? { filter: (r) => only.has(this.passages.get(r.id as number)?.documentId ?? "") } : {});
    const chosen: SearchHit[] = [];
    let total = 0;
    for (const hit of hits) {
      if (chosen.length >= limit) break;
      const passage = this.passages.get(hit.id as number);
      if (!passage || passage.tokens > budget - total) continue;
      if (chosen.some((c) => c.documentId === passage.documentId && overlap(c, passage) > (passage.end - passage.start) / 2)) continue;
      chosen.push({ ...passage, score: hit.score });
      total += passage.tokens;
    }
    const best = hits[0] && this.passages.get(hits[0].id as number);
    if (chosen.length === 0 && best && budget > 0) {
      // nothing fits whole: the best passage, cut to the budget
      const fit = longestFit(best.text, 0, best.text.length, budget, this.count);
      // end at a word when one is near, so the quote does not stop mid-word
      const space = best.text.slice(0, fit + 1).search(/\s\S*$/);
      const end = space > fit / 2 ? space : fit;
      const text = best.text.slice(0, end).trimEnd();
      const tokens = this.count(text);
      if (tokens <= budget)
        return { passages: [{ ...best, end: best.start + text.length, text, tokens, score: hits[0]!.score, truncated: true }], totalTokens: tokens };
    }
    return { passages: chosen, totalTokens: total };
  }
}

function overlap(a: { start: number; end: number }, b: { start: number; end: number }): number {
  return Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
}
