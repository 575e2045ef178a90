import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InstanceHeartbeat } from "./instance-heartbeat.js";
import type { RedisKeys } from "./redis-keys.js";
import { openTestRedis } from "./test-redis.test-helpers.js";

let redis: Redis;
let keys: RedisKeys;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ redis, keys, cleanup } = await openTestRedis());
});
afterAll(() => cleanup());

describe("InstanceHeartbeat", () => {
  it("announces the instance with a TTL and the runs it owns", async () => {
    const beat = new InstanceHeartbeat({ redis, keys, instanceId: "hb-1", ttlMs: 10_000, intervalMs: 3_000, runs: () => ["r1", "r2"] });
    await beat.start();
    const value = JSON.parse((await redis.get(keys.instance("hb-1")))!);
    expect(value).toMatchObject({ instanceId: "hb-1", runs: ["r1", "r2"] });
    const ttl = await redis.pttl(keys.instance("hb-1"));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10_000);
    expect(await redis.sismember(keys.instances(), "hb-1")).toBe(1);
    await beat.stop();
    // it still owned runs: it stays listed, with its heartbeat gone, for a survivor to reap at once
    expect(await redis.exists(keys.instance("hb-1"))).toBe(0);
    expect(await redis.sismember(keys.instances(), "hb-1")).toBe(1);
  });

  it("leaves the instances set on a clean stop with no runs", async () => {
    const beat = new InstanceHeartbeat({ redis, keys, instanceId: "hb-2", runs: () => [] });
    await beat.start();
    await beat.stop();
    expect(await redis.sismember(keys.instances(), "hb-2")).toBe(0);
  });

  it("tells the instance when a survivor reaped it while it was silent", async () => {
    let reaped = 0;
    let reannounced = 0;
    const beat = new InstanceHeartbeat({ redis, keys, instanceId: "hb-3", runs: () => [], onReaped: () => reaped++, onReannounced: () => reannounced++ });
    await beat.start();
    await beat.beat();
    expect(reaped).toBe(0);
    // what a reaper does: forgets the instance and leaves its mark
    await redis.multi().srem(keys.instances(), "hb-3").set(keys.reaped("hb-3"), "survivor").exec();
    await beat.beat();
    expect([reaped, reannounced]).toEqual([1, 0]);
    expect(await redis.exists(keys.reaped("hb-3"))).toBe(0);
    await beat.stop();
  });

  it("an instance Redis forgot without a reaper (Redis restarted empty) announces itself again and keeps its runs", async () => {
    let reaped = 0;
    let reannounced = 0;
    const beat = new InstanceHeartbeat({ redis, keys, instanceId: "hb-4", runs: () => ["r1"], onReaped: () => reaped++, onReannounced: () => reannounced++ });
    await beat.start();
    await redis.del(keys.instances(), keys.instance("hb-4"));
    await beat.beat();
    expect([reaped, reannounced]).toEqual([0, 1]);
    expect(await redis.sismember(keys.instances(), "hb-4")).toBe(1);
    await beat.stop();
  });

  it("a reaped mark from an earlier life under the same id does not stop the new one", async () => {
    let reaped = 0;
    await redis.set(keys.reaped("hb-5"), "survivor");
    const beat = new InstanceHeartbeat({ redis, keys, instanceId: "hb-5", runs: () => [], onReaped: () => reaped++ });
    await beat.start();
    await beat.beat();
    expect(reaped).toBe(0);
    expect(await redis.exists(keys.reaped("hb-5"))).toBe(0);
    await beat.stop();
  });

  it("refuses an interval that does not fit twice in the TTL", () => {
    expect(() => new InstanceHeartbeat({ redis, keys, instanceId: "x", ttlMs: 1_000, intervalMs: 800, runs: () => [] })).toThrow(/at most half its TTL/);
  });
});
