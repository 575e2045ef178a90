import { connectRedis } from "@alma/live-runs";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestRedis } from "../testing/use-test-redis.js";
import { RedisConversationRunLocks } from "./conversation-run-locks.js";

const test = useTestRedis();
let redis: Redis;
const made: RedisConversationRunLocks[] = [];
beforeAll(async () => {
  redis = await connectRedis(test.url);
});
afterAll(async () => {
  for (const l of made) l.close();
  await redis.quit();
});

const locks = (ttlMs: number) => {
  const errors: unknown[] = [];
  const l = new RedisConversationRunLocks({ redis, prefix: test.prefix, ttlMs, onError: (err) => errors.push(err) });
  made.push(l);
  return Object.assign(l, { errors });
};

describe("RedisConversationRunLocks", () => {
  it("one holder per conversation: a second acquire is refused until the first lets go; only the holder can let go", async () => {
    const a = locks(10_000);
    const b = locks(10_000);
    expect(await a.acquire("c1", "starting:a")).toBe(true);
    expect(await b.acquire("c1", "starting:b")).toBe(false);
    expect(await b.acquire("c2", "starting:b")).toBe(true);
    await b.release("c1", "starting:b");
    expect(await a.holder("c1")).toBe("starting:a");
    await a.release("c1", "starting:a");
    expect(await a.holder("c1")).toBeNull();
    expect(await b.acquire("c1", "starting:b")).toBe(true);
  });

  it("a held lock names its run, outlives its TTL while the run goes, and is let go once it ends", async () => {
    const a = locks(300);
    const b = locks(300);
    let running = true;
    expect(await a.acquire("c3", "starting:a")).toBe(true);
    await a.hold("c3", "starting:a", "run-1", () => running);
    expect(await b.holder("c3")).toBe("run-1");
    // three TTLs later it is still held: the refresher kept it
    await new Promise((r) => setTimeout(r, 900));
    expect(await b.acquire("c3", "starting:b")).toBe(false);
    expect(await b.holder("c3")).toBe("run-1");
    running = false;
    await expect.poll(() => b.holder("c3")).toBeNull();
    expect(a.errors).toEqual([]);
  });

  it("a dead owner's lock (nobody refreshes it) expires after its TTL", async () => {
    const dead = locks(300);
    expect(await dead.acquire("c4", "run-dead")).toBe(true);
    const survivor = locks(300);
    expect(await survivor.acquire("c4", "starting:s")).toBe(false);
    await expect.poll(() => survivor.acquire("c4", "starting:s"), { timeout: 3000 }).toBe(true);
  });
});
