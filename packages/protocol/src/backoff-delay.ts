/**
 * The one exponential backoff with jitter, shared by the client's reconnect loop and the agent's provider
 * retries: each delay grows by `factor`, is capped at `maxDelayMs`, and a random share (`jitter`) is taken off
 * so many clients that lost the same server do not come back in lockstep.
 */
export interface BackoffOptions {
  /** delay before the first retry */
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /** 0..1: the share of each delay that is randomised (0.5: between half and all of it) */
  jitter: number;
  /** give up after this many failed attempts in a row (the caller's loop reads it; the delay does not) */
  maxAttempts: number;
}

export const defaultBackoffOptions: BackoffOptions = {
  initialDelayMs: 250,
  maxDelayMs: 10_000,
  factor: 2,
  jitter: 0.5,
  maxAttempts: Number.POSITIVE_INFINITY,
};

export type BackoffDelayOptions = Pick<BackoffOptions, "initialDelayMs" | "maxDelayMs" | "factor" | "jitter">;

/**
 * Delay before retry number `attempt` (1-based): initialDelayMs·factor^(attempt-1), capped at maxDelayMs, then
 * between (1 - jitter) and all of that: `random()` 0 gives the shortest delay, 1 the full one.
 */
export function backoffDelay(attempt: number, options: BackoffDelayOptions, random: () => number = Math.random): number {
  const exponential = options.initialDelayMs * options.factor ** Math.max(0, attempt - 1);
  const capped = Math.min(options.maxDelayMs, exponential);
  const jitter = Math.min(1, Math.max(0, options.jitter));
  return Math.round(capped * (1 - jitter + jitter * random()));
}
