import type { RequestMeasure, RunDocument } from "./agent-run.js";
import { inlineDocumentText, type RunDocuments } from "./run-documents.js";

/** documents together up to this size may be read whole; larger ones are always searched */
export const INLINE_MAX_TOKENS = 3_000;
/** and only when they take at most this share of what the window leaves beside the request and the answer */
export const INLINE_ROOM_SHARE = 0.5;

/** A document as a request carries it whole: page marks or numbered lines, counted as the run counts. */
export interface InlinedDocument {
  id: string;
  name: string;
  text: string;
  tokens: number;
}

/**
 * The inlining rule, shared by the researcher and by one-pass answers: documents are read whole, smallest first,
 * while together they take at most INLINE_MAX_TOKENS and at most INLINE_ROOM_SHARE of `room` (what the request
 * leaves free beside its prompt and its answer). The others are left to be searched. A large document is never
 * counted whole: the estimate rules it out first. Both lists keep the order the documents were attached in.
 */
export async function inlineDocuments(
  documents: RunDocuments,
  room: number,
  measure: Pick<RequestMeasure, "countText">,
): Promise<{ inlined: InlinedDocument[]; rest: RunDocument[] }> {
  const limit = Math.min(INLINE_MAX_TOKENS, room * INLINE_ROOM_SHARE);
  const estimates = documents.summaries().map((s) => s.tokens);
  const order = documents.documents.map((_, i) => i).sort((a, b) => estimates[a]! - estimates[b]!);
  const chosen = new Map<number, InlinedDocument>();
  let estimated = 0;
  let total = 0;
  for (const i of order) {
    estimated += estimates[i]!;
    if (estimated > INLINE_MAX_TOKENS * 2) break;
    const doc = documents.documents[i]!;
    const text = inlineDocumentText(doc);
    const tokens = await measure.countText(text);
    if (total + tokens > limit) break;
    total += tokens;
    chosen.set(i, { id: doc.id, name: doc.name, text, tokens });
  }
  return {
    inlined: documents.documents.flatMap((_, i) => (chosen.has(i) ? [chosen.get(i)!] : [])),
    rest: documents.documents.filter((_, i) => !chosen.has(i)),
  };
}
