/** below this many tokens, or this long between the first and the last, a rate says nothing of the model */
export const MIN_RATE_TOKENS = 3;
export const MIN_RATE_MS = 20;

/**
 * The decode rate, as every figure alma shows measures it: the tokens after the first (the wait for the first one is
 * time to first token, not decoding) over the milliseconds between the first and the last. Null when too short to
 * tell: two tokens that arrived in one network read would read as 100,000 tokens/s.
 */
export function decodeRate(tokens: number, decodeMs: number): number | null {
  return tokens >= MIN_RATE_TOKENS && decodeMs >= MIN_RATE_MS ? ((tokens - 1) * 1000) / decodeMs : null;
}

/** The same from the first and last token's times. */
export function decodeRateBetween(tokens: number, firstAt: number | null, lastAt: number | null): number | null {
  return firstAt === null || lastAt === null ? null : decodeRate(tokens, lastAt - firstAt);
}

/**
 * Several requests' rate as one model's: each request's tokens after its first over the time it decoded them, summed,
 * so parallel steps and hidden planning neither inflate nor dilute it.
 */
export function combinedDecodeRate(requests: ReadonlyArray<{ completionTokens: number; tokensPerSecond: number | null }>): number | null {
  let tokens = 0;
  let ms = 0;
  for (const r of requests) {
    if (r.tokensPerSecond === null || r.tokensPerSecond <= 0 || r.completionTokens < 2) continue;
    tokens += r.completionTokens - 1;
    ms += ((r.completionTokens - 1) * 1000) / r.tokensPerSecond;
  }
  return ms > 0 ? (tokens * 1000) / ms : null;
}
