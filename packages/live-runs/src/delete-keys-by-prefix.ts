import type { Redis } from "ioredis";

/** Deletes every key under `prefix` (SCAN, never KEYS: it does not block Redis); returns how many went. */
export async function deleteKeysByPrefix(redis: Redis, prefix: string): Promise<number> {
  if (!prefix) throw new Error("refusing to delete keys without a prefix: that would be the whole database");
  const pattern = `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
  let cursor = "0";
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== "0");
  return deleted;
}
