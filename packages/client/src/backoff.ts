export interface BackoffOptions {
  /** delay before the first retry */
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /** 0..1: the share of each delay that is randomised, so many clients do not reconnect in lockstep */
  jitter: number;
  /** give up after this many failed attempts in a row */
  maxAttempts: number;
}

export const defaultBackoffOptions: BackoffOptions = {
  initialDelayMs: 250,
  maxDelayMs: 10_000,
  factor: 2,
  jitter: 0.5,
  maxAttempts: Number.POSITIVE_INFINITY,
};

/** Delay before retry number `attempt` (1-based): exponential growth, capped, minus a random share. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponential = options.initialDelayMs * options.factor ** Math.max(0, attempt - 1);
  const capped = Math.min(options.maxDelayMs, exponential);
  const jitter = Math.min(1, Math.max(0, options.jitter));
  return Math.round(capped * (1 - jitter * random()));
}
