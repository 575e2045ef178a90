import { decodeRate } from "@alma/protocol";

/** A model's measured pace: how long its first token takes and how fast it decodes after that. */
export interface SpeedEstimate {
  ttftMs: number;
  tokensPerSecond: number;
  /** how many requests the estimate rests on */
  samples: number;
  updatedAt: number;
}

/** Where estimates outlive the process (the server keeps them in its database). */
export interface SpeedStore {
  load(modelKey: string): SpeedEstimate | null;
  save(modelKey: string, estimate: SpeedEstimate): void;
}

/** One finished request's timing, from the stream as it arrived. */
export interface SpeedSample {
  ttftMs: number | null;
  /** output tokens and the time between the first and the last */
  tokens: number;
  decodeMs: number;
}

/** Until a model has answered once, plans assume this pace; the planner's own stream corrects it within a second. */
export const PRIOR_SPEED: Readonly<Pick<SpeedEstimate, "ttftMs" | "tokensPerSecond">> = { ttftMs: 1_000, tokensPerSecond: 30 };

// a decode rate needs a few tokens spread over some time to mean anything
const MIN_RATE_TOKENS = 6;
const MIN_RATE_MS = 20;
// recent runs weigh most: a server under new load or a model swap shows within a few requests
const ALPHA = 0.35;

/** The decode rate a sample shows, or null when it is too short to tell. */
export function sampleRate(s: SpeedSample): number | null {
  if (s.tokens < MIN_RATE_TOKENS || s.decodeMs < MIN_RATE_MS) return null;
  return decodeRate(s.tokens, s.decodeMs);
}

/** Folds a sample into an estimate: an exponentially weighted average of recent requests. */
export function updateSpeed(prev: SpeedEstimate | null, s: SpeedSample, now: number): SpeedEstimate | null {
  const rate = sampleRate(s);
  if (rate === null && s.ttftMs === null) return prev;
  if (!prev) {
    if (rate === null) return null;
    return { ttftMs: s.ttftMs ?? PRIOR_SPEED.ttftMs, tokensPerSecond: rate, samples: 1, updatedAt: now };
  }
  const mix = (a: number, b: number) => a + ALPHA * (b - a);
  return {
    ttftMs: s.ttftMs === null ? prev.ttftMs : mix(prev.ttftMs, s.ttftMs),
    tokensPerSecond: rate === null ? prev.tokensPerSecond : mix(prev.tokensPerSecond, rate),
    samples: prev.samples + 1,
    updatedAt: now,
  };
}

/**
 * Running speed estimates per model identity (provider, server and model name), loaded from and saved to a store so
 * the first run after a restart already plans for the model's real pace.
 */
export class ModelSpeedTracker {
  private readonly cache = new Map<string, SpeedEstimate | null>();

  constructor(
    private readonly store: SpeedStore | null = null,
    private readonly now: () => number = Date.now,
  ) {}

  get(modelKey: string): SpeedEstimate | null {
    if (!this.cache.has(modelKey)) {
      let loaded: SpeedEstimate | null = null;
      try {
        loaded = this.store?.load(modelKey) ?? null;
      } catch {
        // an unreadable estimate only costs a less well sized first plan
      }
      this.cache.set(modelKey, loaded);
    }
    return this.cache.get(modelKey) ?? null;
  }

  record(modelKey: string, sample: SpeedSample): SpeedEstimate | null {
    const next = updateSpeed(this.get(modelKey), sample, this.now());
    if (!next) return null;
    this.cache.set(modelKey, next);
    try {
      this.store?.save(modelKey, next);
    } catch {
      // kept in memory; the next save tries again
    }
    return next;
  }
}
