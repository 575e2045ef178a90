import type { Redis } from "ioredis";
import type { RedisKeys } from "./redis-keys.js";

export interface RunViewersOptions {
  redis: Redis;
  keys: RedisKeys;
  instanceId: string;
  /** how long the viewers set of a run may outlive everyone (the run's end shortens it to the grace) */
  safetyTtlMs?: number;
}

/**
 * Which instances have a viewer of a run another instance runs: the owner sees only its own sockets, and without
 * this it would stop a run as abandoned once its last local viewer left (a reload that landed elsewhere) although
 * a viewer on another instance still reads it. An instance is listed while it watches the run at least once, and
 * counts only while its heartbeat lives, so a viewer instance that died keeps nothing going.
 */
export class RunViewers {
  private readonly counts = new Map<string, number>();

  constructor(private readonly options: RunViewersOptions) {}

  /** a viewer on this instance starts following the run */
  async watching(runId: string): Promise<void> {
    const n = (this.counts.get(runId) ?? 0) + 1;
    this.counts.set(runId, n);
    if (n > 1) return;
    const { redis, keys, instanceId } = this.options;
    const key = keys.runViewers(runId);
    await redis
      .multi()
      .sadd(key, instanceId)
      .pexpire(key, this.options.safetyTtlMs ?? 6 * 3_600_000)
      .exec();
  }

  /** that viewer stopped following it (the run ended, the socket closed, or it watches from elsewhere now) */
  async left(runId: string): Promise<void> {
    const n = (this.counts.get(runId) ?? 0) - 1;
    if (n > 0) {
      this.counts.set(runId, n);
      return;
    }
    this.counts.delete(runId);
    await this.options.redis.srem(this.options.keys.runViewers(runId), this.options.instanceId);
  }

  /** whether an instance other than this one, alive, has a viewer of the run */
  async watchedElsewhere(runId: string): Promise<boolean> {
    const { redis, keys, instanceId } = this.options;
    const others = (await redis.smembers(keys.runViewers(runId))).filter((id) => id !== instanceId);
    if (others.length === 0) return false;
    const alive = await redis.pipeline(others.map((id) => ["exists", keys.instance(id)])).exec();
    return (alive ?? []).some(([, n]) => Number(n) === 1);
  }

  /** a clean stop: this instance watches nothing any more */
  async close(): Promise<void> {
    const runs = [...this.counts.keys()];
    this.counts.clear();
    if (runs.length === 0) return;
    const pipeline = this.options.redis.pipeline();
    for (const runId of runs) pipeline.srem(this.options.keys.runViewers(runId), this.options.instanceId);
    await pipeline.exec();
  }
}
