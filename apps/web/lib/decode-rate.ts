/**
 * A stream's decode rate as the server measures it: the tokens after the first (the first one's wait is time to
 * first token, not decoding) over the milliseconds between the first and the last. Null when too short to tell.
 */
export function decodeRate(tokens: number, firstAt: number | null, lastAt: number | null): number | null {
  if (firstAt === null || lastAt === null || tokens < 2) return null;
  const ms = lastAt - firstAt;
  return ms > 0 ? ((tokens - 1) * 1000) / ms : null;
}
