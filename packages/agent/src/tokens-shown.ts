/**
 * How many tokens a stream showed: counted deltas undercount a server that packs several tokens into a chunk, and
 * then the text tells, at about 4 characters a token.
 */
export function tokensShown(counted: number, chars: number): number {
  return Math.max(counted, Math.round(chars / 4));
}
