import type { ChatMessage } from "@alma/llm";
import { citation, type SearchHit } from "@alma/tools";
import type { RequestMeasure, RunDocument } from "./agent-run.js";
import { INLINE_MAX_TOKENS, INLINE_ROOM_SHARE, inlineDocuments } from "./inline-documents.js";
import { renderAttachedDocuments, renderDocumentsLeftOut } from "./prompts/attached-documents-prompt.js";
import { inlineDocumentText, type RunDocuments } from "./run-documents.js";
import { searchBudget } from "./run-tools.js";

/** The attached documents as one request carries them. */
export interface RequestDocuments {
  /** the block for the request's system prompt; null when not even the note that they were left out fits */
  text: string | null;
  /** tokens of `text`, counted as the run counts */
  tokens: number;
  /** the documents none of whose text the request carries, for want of room in the window */
  left: string[];
  /** how many documents the run has */
  total: number;
}

/** passages as one search of the researcher returns them at most */
const SEARCH_LIMIT = 5;
/** below this room a passage says too little to be worth quoting */
const MIN_PASSAGE_TOKENS = 40;
/** what a passage's number and citation add around its text */
const PASSAGE_FRAMING_TOKENS = 12;
/** numbered lines and page marks make a document read whole longer than its text */
const INLINE_OVERHEAD = 1.3;

/**
 * What a one-pass answer (or a synthesis no researcher step fed) reads of the attached documents, within `room`:
 * the tokens the request leaves free beside its prompt and its whole answer budget. Small documents come whole by
 * the inlining rule (inline-documents.ts); for the others, the passages that best match the question (BM25, as
 * the researcher's search_documents finds them, at most a search's worth), each with its (document, page N) or
 * (document, line N); the beginning of one when no passage matches. Everything is counted with the run's measure
 * and cut until it fits; documents nothing of which fits are named in `left` (and told to the model when the
 * note fits).
 */
export async function documentsForRequest(
  documents: RunDocuments,
  o: { query: string; room: number; window: number; measure: Pick<RequestMeasure, "countText" | "truncate"> },
): Promise<RequestDocuments> {
  const { measure, room } = o;
  const names = documents.names();
  const total = names.length;
  const leftOut = async (): Promise<RequestDocuments> => {
    const note = renderDocumentsLeftOut(names);
    const tokens = await measure.countText(note);
    return tokens <= room ? { text: note, tokens, left: names, total } : { text: null, tokens: 0, left: names, total };
  };
  if (total === 0) return { text: null, tokens: 0, left: [], total };
  if (room <= 0) return leftOut();

  const summaries = documents.summaries().map((s) => ({ name: s.name, size: s.size }));
  const { inlined: whole, rest } = await inlineDocuments(documents, room, measure);
  let inlined = whole;
  let passages: SearchHit[] = [];
  let opening: { doc: RunDocument; text: string } | null = null;
  let searched = false;
  // once something is dropped for room, a document with nothing shown was left out, not unmatched
  let cut = false;
  const render = () => {
    const shown = new Set([...inlined.map((d) => d.id), ...passages.map((p) => p.documentId), ...(opening ? [opening.doc.id] : [])]);
    const missing = rest.filter((d) => !shown.has(d.id)).map((d) => d.name);
    const unmatched = searched && !cut ? missing : [];
    const left = [...whole.filter((d) => !shown.has(d.id)).map((d) => d.name), ...(searched && !cut ? [] : missing)];
    const text = renderAttachedDocuments({
      documents: summaries,
      inlined,
      passages: passages.map((p) => ({ citation: citation({ document: p.documentName, page: p.page, line: p.line }), text: p.text })),
      opening: opening ? { name: opening.doc.name, text: opening.text } : null,
      unmatched,
      left,
    });
    return { text, left, shown: shown.size };
  };

  if (rest.length > 0) {
    const base = await measure.countText(render().text);
    const passageRoom = Math.min(searchBudget(o.window), room - base - SEARCH_LIMIT * PASSAGE_FRAMING_TOKENS);
    if (passageRoom >= MIN_PASSAGE_TOKENS) {
      searched = true;
      passages = documents.index.search(o.query, { documentIds: rest.map((d) => d.id), maxTokens: passageRoom, limit: SEARCH_LIMIT }).passages;
      // a question that names nothing in them ("summarize it") still gets something to read
      if (passages.length === 0) {
        const first = rest[0]!;
        opening = { doc: first, text: await measure.truncate(inlineDocumentText(first).slice(0, passageRoom * 8), passageRoom) };
      }
    }
  }

  for (;;) {
    const r = render();
    if (r.shown === 0) return leftOut();
    const tokens = await measure.countText(r.text);
    if (tokens <= room) return { text: r.text, tokens, left: r.left, total };
    cut = true;
    if (passages.length > 0) passages = passages.slice(0, -1);
    else if (opening) opening = null;
    else inlined = inlined.slice(0, -1);
  }
}

/** The documents' block at the end of the request's first system prompt (after what memory added), so it is counted with it. */
export function withDocuments(messages: ChatMessage[], text: string | null): ChatMessage[] {
  if (!text) return messages;
  const first = messages[0];
  if (first?.role === "system") return [{ role: "system", content: `${first.content}\n\n${text}` }, ...messages.slice(1)];
  return [{ role: "system", content: text }, ...messages];
}

/**
 * What a one-pass request should leave free beside its answer for the documents: twice the small ones' size (the
 * inlining rule reads them whole only within half the room) and a search's worth of passages for the rest. The
 * conversation is trimmed for it, never below the share of the window it always keeps.
 */
export function documentsReserve(documents: RunDocuments, window: number): number {
  const sizes = documents
    .summaries()
    .map((s) => Math.ceil(s.tokens * INLINE_OVERHEAD))
    .sort((a, b) => a - b);
  let whole = 0;
  let n = 0;
  for (const size of sizes) {
    if (whole + size > INLINE_MAX_TOKENS) break;
    whole += size;
    n++;
  }
  return Math.ceil(whole / INLINE_ROOM_SHARE) + (n < sizes.length ? searchBudget(window) : 0) + 64;
}

/** The progress line, saying which documents the answer is written without. */
export function documentsLabel(label: string, docs: RequestDocuments | null): string {
  if (!docs || docs.left.length === 0) return label;
  if (docs.left.length === docs.total) return `${label} without the attached documents: none of their text fits the model's window`;
  return `${label}; ${docs.left.join(", ")} did not fit the model's window`;
}
