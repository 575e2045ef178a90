import { type CountTokens, estimateTokens } from "./estimate-tokens.js";
import type { PageSpan } from "./extract-pdf-text.js";

export interface DocumentText {
  id: string;
  name: string;
  text: string;
  /** PDFs: passages never cross a page, so each can cite one */
  pages?: readonly PageSpan[];
}

/** A quotable piece of a document: its text and where it is. */
export interface Passage {
  documentId: string;
  documentName: string;
  page?: number;
  /** 1-based line of `start` */
  line: number;
  /** character offsets in the document's text; `text` is exactly `documentText.slice(start, end)` */
  start: number;
  end: number;
  text: string;
  tokens: number;
}

export interface ChunkOptions {
  /** a passage's size; default 200 tokens */
  maxTokens?: number;
  /** tokens of the previous passage repeated at the start of the next, at sentence bounds; default 30 */
  overlapTokens?: number;
  countTokens?: CountTokens;
}

interface Span {
  start: number;
  end: number;
  tokens: number;
}

/**
 * Cuts a document into passages of about `maxTokens`: by paragraphs, a long paragraph by
 * sentences, a long sentence by words; passages overlap by a sentence or two so a fact on a
 * boundary is whole in one of them.
 */
export function chunkDocument(doc: DocumentText, options: ChunkOptions = {}): Passage[] {
  const maxTokens = options.maxTokens ?? 200;
  const overlap = options.overlapTokens ?? 30;
  const count = options.countTokens ?? estimateTokens;
  if (!(maxTokens > 0) || !(overlap >= 0) || overlap >= maxTokens)
    throw new RangeError("chunkDocument: need maxTokens > 0 and 0 <= overlapTokens < maxTokens.");
  const regions =
    doc.pages && doc.pages.length > 0
      ? doc.pages.map((p) => ({ start: p.start, end: p.end, page: p.number }))
      : [{ start: 0, end: doc.text.length, page: undefined }];
  const lineStarts = [0];
  for (let i = doc.text.indexOf("\n"); i !== -1; i = doc.text.indexOf("\n", i + 1)) lineStarts.push(i + 1);

  const passages: Passage[] = [];
  for (const region of regions) {
    const segments = segment(doc.text, region.start, region.end, maxTokens, count);
    for (const group of pack(segments, maxTokens, overlap)) {
      const start = group[0]!.start;
      const end = group[group.length - 1]!.end;
      const text = doc.text.slice(start, end);
      const passage: Passage = { documentId: doc.id, documentName: doc.name, line: lineOf(lineStarts, start), start, end, text, tokens: count(text) };
      if (region.page !== undefined) passage.page = region.page;
      passages.push(passage);
    }
  }
  return passages;
}

/** Paragraphs; a paragraph over the limit as sentences; a sentence over the limit as runs of words. */
function segment(text: string, from: number, to: number, maxTokens: number, count: CountTokens): Span[] {
  const out: Span[] = [];
  for (const para of spans(text, from, to, /\n[ \t]*\n/g)) {
    const tokens = count(text.slice(para.start, para.end));
    if (tokens <= maxTokens) {
      out.push({ ...para, tokens });
      continue;
    }
    for (const sentence of spans(text, para.start, para.end, /(?<=[.!?…])["')\]]*\s+|\n/g)) {
      const t = count(text.slice(sentence.start, sentence.end));
      if (t <= maxTokens) out.push({ ...sentence, tokens: t });
      else out.push(...words(text, sentence, maxTokens, count));
    }
  }
  return out;
}

/** The trimmed, non-empty pieces of text[from, to) between matches of `separator`. */
function spans(text: string, from: number, to: number, separator: RegExp): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const slice = text.slice(from, to);
  let last = 0;
  const push = (s: number, e: number) => {
    const piece = slice.slice(s, e);
    const lead = piece.length - piece.trimStart().length;
    const trail = piece.length - piece.trimEnd().length;
    if (piece.trim() !== "") out.push({ start: from + s + lead, end: from + e - trail });
  };
  for (const m of slice.matchAll(separator)) {
    push(last, m.index);
    last = m.index + m[0].length;
  }
  push(last, slice.length);
  return out;
}

function words(text: string, span: { start: number; end: number }, maxTokens: number, count: CountTokens): Span[] {
  const out: Span[] = [];
  let start = span.start;
  let end = span.start;
  for (const m of text.slice(span.start, span.end).matchAll(/\S+/g)) {
    const wordEnd = span.start + m.index + m[0].length;
    if (end > start && count(text.slice(start, wordEnd)) > maxTokens) {
      out.push({ start, end, tokens: count(text.slice(start, end)) });
      start = span.start + m.index;
    }
    end = wordEnd;
    // one "word" over the limit (a base64 blob, a URL): cut it by characters
    while (count(text.slice(start, end)) > maxTokens) {
      const cut = longestFit(text, start, end, maxTokens, count);
      out.push({ start, end: cut, tokens: count(text.slice(start, cut)) });
      start = cut;
    }
  }
  if (end > start) out.push({ start, end, tokens: count(text.slice(start, end)) });
  return out;
}

/** The largest `cut` in (start, end) with text[start, cut) within `maxTokens` (at least one character). */
export function longestFit(text: string, start: number, end: number, maxTokens: number, count: CountTokens): number {
  let lo = start + 1;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (count(text.slice(start, mid)) <= maxTokens) lo = mid;
    else hi = mid - 1;
  }
  // never split a surrogate pair
  return /[\uD800-\uDBFF]/.test(text[lo - 1] ?? "") && lo - 1 > start ? lo - 1 : lo;
}

/** Groups consecutive segments up to `maxTokens`; each group after the first repeats the previous group's tail up to `overlap`. */
function pack(segments: readonly Span[], maxTokens: number, overlap: number): Span[][] {
  const groups: Span[][] = [];
  let current: Span[] = [];
  let tokens = 0;
  let fresh = 0; // segments in `current` not carried over from the previous group
  for (const seg of segments) {
    if (current.length > 0 && tokens + seg.tokens > maxTokens) {
      groups.push(current);
      const tail: Span[] = [];
      let tailTokens = 0;
      for (let i = current.length - 1; i > 0 && tailTokens + current[i]!.tokens <= overlap && tailTokens + current[i]!.tokens + seg.tokens <= maxTokens; i--) {
        tail.unshift(current[i]!);
        tailTokens += current[i]!.tokens;
      }
      current = tail;
      tokens = tailTokens;
      fresh = 0;
    }
    current.push(seg);
    tokens += seg.tokens;
    fresh += 1;
  }
  if (fresh > 0) groups.push(current);
  return groups;
}

function lineOf(lineStarts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
