/** What a one-pass request (or a synthesis) is told of the conversation's attached documents. */
export interface AttachedDocumentsVars {
  /** every attached document, as the planner is told of it */
  documents: ReadonlyArray<{ name: string; size: string }>;
  /** the documents read whole, with page marks or numbered lines */
  inlined: ReadonlyArray<{ name: string; text: string }>;
  /** the passages of the other documents that best match the question, with their citation ("report.pdf, page 170") */
  passages: ReadonlyArray<{ citation: string; text: string }>;
  /** the beginning of a document when no passage matched the question */
  opening: { name: string; text: string } | null;
  /** documents searched whose text matched nothing the request could carry */
  unmatched: readonly string[];
  /** documents none of whose text fits what the window leaves */
  left: readonly string[];
}

export const ATTACHED_DOCUMENTS_MARKER = "Documents attached to this conversation:";

/**
 * The documents block, appended to the request's system prompt: what the model reads of the files for an answer
 * written in one pass. Each quote keeps the citation the researcher would give, so the answer can cite it too.
 */
export function renderAttachedDocuments(v: AttachedDocumentsVars): string {
  const parts = [
    `${ATTACHED_DOCUMENTS_MARKER} ${v.documents.map((d) => `${d.name} (${d.size})`).join(", ")}. Use what they say when the question needs it, quote what you use and cite it as (document, page N) or (document, line N), and say plainly when they do not contain the answer.`,
    ...v.inlined.map((d) => `The document ${d.name}, whole:\n"""\n${d.text}\n"""`),
  ];
  if (v.passages.length > 0) {
    const quotes = v.passages.map((p, i) => `[${i + 1}] (${p.citation})\n${p.text}`).join("\n\n");
    parts.push(`Passages of the documents that best match the question, best first:\n${quotes}`);
  }
  if (v.opening) parts.push(`The beginning of ${v.opening.name} (no passage matched the question):\n"""\n${v.opening.text}\n"""`);
  if (v.unmatched.length > 0) parts.push(`No passage of ${v.unmatched.join(", ")} matched the question.`);
  if (v.left.length > 0) parts.push(leftNote(v.left, v.left.length === v.documents.length));
  return parts.join("\n\n");
}

/** The note alone, when none of the documents' text fits: the model can tell the user it did not read them. */
export function renderDocumentsLeftOut(names: readonly string[]): string {
  return `${ATTACHED_DOCUMENTS_MARKER} ${names.join(", ")}. ${leftNote(names, true)}`;
}

function leftNote(names: readonly string[], all: boolean): string {
  const which = all ? "None of their text" : `None of the text of ${names.join(", ")}`;
  return `${which} fits in the model's window, so it is not shown here: if the question needs it, say that you could not read it.`;
}
