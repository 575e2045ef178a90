import { backoffDelay } from "@alma/protocol";

export interface RetryDelayOptions {
  baseMs: number;
  maxMs: number;
  /** 0..1, injectable for tests */
  random?: () => number;
}

/**
 * Exponential backoff with jitter for the given 1-based attempt: between half and all of base·2^(attempt-1),
 * capped, and never shorter than the provider's Retry-After. The formula is @alma/protocol's `backoffDelay`,
 * the same one the client reconnects with.
 */
export function retryDelay(attempt: number, retryAfterMs: number | null, { baseMs, maxMs, random = Math.random }: RetryDelayOptions): number {
  const jittered = backoffDelay(attempt, { initialDelayMs: baseMs, maxDelayMs: maxMs, factor: 2, jitter: 0.5 }, random);
  return retryAfterMs !== null ? Math.max(jittered, retryAfterMs) : jittered;
}
