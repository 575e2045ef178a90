import type { Redis } from "ioredis";

export type RedisHealth = { ok: true; latencyMs: number } | { ok: false; error: string };

/** For /health: a PING with a deadline, so a hung Redis shows as down instead of hanging the check. */
export async function pingRedis(redis: Redis, timeoutMs = 1_000): Promise<RedisHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([redis.ping(), timeout]);
    return { ok: true, latencyMs: performance.now() - started };
  } catch (err) {
    return { ok: false, error: `Redis is not answering (${(err as Error).message}) at ${redis.options.host}:${redis.options.port}` };
  } finally {
    clearTimeout(timer);
  }
}
