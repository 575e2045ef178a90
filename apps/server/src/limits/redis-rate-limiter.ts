import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { RateLimiter } from "./rate-limiter.js";

/**
 * One sliding window per key in a sorted set (score: the hit's time on Redis's clock, so instances whose clocks
 * differ count alike), checked and recorded in one script: two instances taking the last slot at once cannot both
 * get it. Answers 0, or the ms until the oldest hit leaves the window.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 0
`;

/** The rate limit shared by every instance on one Redis (ALMA_REDIS_URL). */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    /** the limit's own key prefix, such as `alma:rate:messages:` */
    private readonly keyPrefix: string,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  async take(key: string): Promise<number> {
    const wait = await this.redis.eval(TAKE, 1, `${this.keyPrefix}${key}`, this.windowMs, this.limit, randomUUID());
    return Number(wait);
  }
}
