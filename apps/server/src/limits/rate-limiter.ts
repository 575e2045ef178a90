import { SlidingWindowLimiter } from "./sliding-window-limiter.js";

/**
 * At most a number of hits per window per key. In one process a sliding window in memory; with Redis one window per
 * key shared by every instance, so a client spreading its requests over the servers gets the same limit.
 */
export interface RateLimiter {
  /** records a hit and gives 0, or gives the ms until one is allowed (the hit is not recorded) */
  take(key: string): Promise<number>;
}

/** this process's own window (one server) */
export class LocalRateLimiter implements RateLimiter {
  private readonly window: SlidingWindowLimiter;

  constructor(limit: number, windowMs: number, now: () => number) {
    this.window = new SlidingWindowLimiter(limit, windowMs, now);
  }

  async take(key: string): Promise<number> {
    return this.window.take(key);
  }
}
