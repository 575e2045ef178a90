import { decode, encode } from "gpt-tokenizer/encoding/o200k_base";

/**
 * Splits text into the pieces OpenAI's o200k tokenizer makes of it, so a fake model streams JSON and code as a
 * real one does (`{"` and `":"` are one token each, not one per mark as in splitIntoTokens).
 */
export function splitIntoModelTokens(text: string): string[] {
  const pieces: string[] = [];
  let pending: number[] = [];
  for (const id of encode(text)) {
    pending.push(id);
    const piece = decode(pending);
    // a token can end inside a multi-byte character: keep it with the next until the text is whole
    if (piece.includes("\uFFFD")) continue;
    pieces.push(piece);
    pending = [];
  }
  if (pending.length > 0) pieces.push(decode(pending));
  return pieces;
}
