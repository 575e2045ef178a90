import { randomUUID } from "node:crypto";
import { connectRedis, deleteKeysByPrefix } from "@alma/live-runs";
import { afterAll } from "vitest";

export const TEST_REDIS_URL = process.env.ALMA_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * A Redis key prefix of this test file's own on the machine's Redis, every key under it deleted after the file; `env`
 * is what a server (built or spawned) needs to use it.
 */
export function useTestRedis() {
  const prefix = `alma-test-${randomUUID().slice(0, 8)}:`;
  afterAll(async () => {
    const redis = await connectRedis(TEST_REDIS_URL);
    await deleteKeysByPrefix(redis, prefix);
    await redis.quit();
  });
  return { url: TEST_REDIS_URL, prefix, env: { ALMA_REDIS_URL: TEST_REDIS_URL, ALMA_REDIS_PREFIX: prefix } };
}
