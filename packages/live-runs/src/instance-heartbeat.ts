import type { Redis } from "ioredis";
import type { RedisKeys } from "./redis-keys.js";

export interface InstanceHeartbeatOptions {
  redis: Redis;
  keys: RedisKeys;
  instanceId: string;
  /** the heartbeat key's TTL: an instance silent this long is dead (default 10 s) */
  ttlMs?: number;
  /** how often it is refreshed (default 3 s: three beats fit in one TTL) */
  intervalMs?: number;
  /** the runs this instance owns now, listed in the heartbeat for operators */
  runs: () => string[];
  /**
   * A survivor took this instance for dead (it was silent longer than the TTL: a long pause, or Redis was away)
   * and marked its runs interrupted; the server should stop what it still runs.
   */
  onReaped?: () => void;
  /**
   * The instance was missing from Redis without being reaped (Redis restarted empty, or was flushed): it announced
   * itself again; what else it keeps in Redis (its runs' ownership) should be written again too.
   */
  onReannounced?: () => void;
  onError?: (err: Error) => void;
}

/**
 * `instance:<id>` exists while the instance lives: set with a TTL and refreshed well within it. The instances set
 * lists every instance that announced itself, so a survivor can tell which heartbeats expired.
 */
export class InstanceHeartbeat {
  private timer: NodeJS.Timeout | null = null;
  private readonly startedAt = Date.now();
  private beats = 0;
  readonly ttlMs: number;
  readonly intervalMs: number;

  constructor(private readonly options: InstanceHeartbeatOptions) {
    this.ttlMs = options.ttlMs ?? 10_000;
    this.intervalMs = options.intervalMs ?? 3_000;
    if (this.intervalMs * 2 > this.ttlMs) throw new Error(`the heartbeat interval (${this.intervalMs} ms) must be at most half its TTL (${this.ttlMs} ms)`);
  }

  /** the first beat is awaited: when start resolves, other instances see this one */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => {
      this.beat().catch((err: Error) => this.options.onError?.(err));
    }, this.intervalMs);
    this.timer.unref();
  }

  async beat(): Promise<void> {
    const { redis, keys, instanceId } = this.options;
    const value = JSON.stringify({ instanceId, startedAt: this.startedAt, beatAt: Date.now(), pid: process.pid, runs: this.options.runs() });
    const results = await redis
      .multi()
      .set(keys.instance(instanceId), value, "PX", this.ttlMs)
      .sadd(keys.instances(), instanceId)
      .get(keys.reaped(instanceId))
      .exec();
    const added = Number(results?.[1]?.[1] ?? 0);
    const reaped = results?.[2]?.[1] != null;
    // a mark from an earlier life under this id is not news: the reaper handled that life's runs
    if (this.beats++ === 0) {
      if (reaped) await redis.del(keys.reaped(instanceId));
      return;
    }
    if (added !== 1) return;
    // added again: a survivor reaped it (its mark says so), or Redis lost everything (no mark): only the first stops its runs
    if (reaped) {
      await redis.del(keys.reaped(instanceId));
      this.options.onReaped?.();
    } else this.options.onReannounced?.();
  }

  /**
   * A clean shutdown: the heartbeat goes at once. With no runs left the instance leaves the set; with runs still
   * owned (a shutdown that could not end them) it stays, so a survivor reaps them without waiting for the TTL.
   */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const { redis, keys, instanceId } = this.options;
    const pipeline = redis.multi().del(keys.instance(instanceId));
    if (this.options.runs().length === 0) pipeline.srem(keys.instances(), instanceId).del(keys.instanceRuns(instanceId));
    await pipeline.exec();
  }
}
