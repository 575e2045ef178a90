import type { RunState } from "@alma/protocol";
import type { Redis } from "ioredis";
import type { RedisKeys } from "./redis-keys.js";
import type { RedisRunStream } from "./redis-run-stream.js";

export interface DeadRun {
  runId: string;
  /** the run's fold at its last written event (null if nothing was written): its partial answer, and `lastIndex` */
  state: RunState | null;
  /** the conversation it was claimed for, so a run that died before its first event can still be found in the store */
  conversationId: string | null;
}

export interface DeadInstance {
  instanceId: string;
  /** its runs that had not ended */
  runs: DeadRun[];
}

export interface DeadInstanceReaperOptions {
  redis: Redis;
  keys: RedisKeys;
  /** this (surviving) instance */
  instanceId: string;
  stream: RedisRunStream;
  /** how long one survivor holds a dead instance before another may retry it (default 60 s) */
  lockMs?: number;
  onError?: (err: Error) => void;
}

/** how long a reaped instance's mark stays: longer than any pause an instance comes back from */
const REAPED_MARK_MS = 24 * 3_600_000;

/**
 * Finds instances whose heartbeat expired while they still listed runs, and hands each to exactly one survivor,
 * which marks the runs interrupted in the store; only then is the dead instance forgotten, so a survivor that
 * dies mid-way leaves the work for the next.
 */
export class DeadInstanceReaper {
  private timer: NodeJS.Timeout | null = null;
  private sweeping = false;

  constructor(private readonly options: DeadInstanceReaperOptions) {}

  /** read-only: the instances whose heartbeat is gone, with their unended runs and their last states */
  async findDeadInstances(): Promise<DeadInstance[]> {
    const { redis, keys, instanceId } = this.options;
    const ids = (await redis.smembers(keys.instances())).filter((id) => id !== instanceId);
    if (ids.length === 0) return [];
    const alive = await redis.pipeline(ids.map((id) => ["exists", keys.instance(id)])).exec();
    const dead = ids.filter((_, i) => Number(alive?.[i]?.[1] ?? 1) === 0);
    const found: DeadInstance[] = [];
    for (const id of dead) found.push({ instanceId: id, runs: await this.unendedRuns(id) });
    return found;
  }

  /**
   * Claims each dead instance (one survivor wins), calls `handle` with it when it had unended runs, and forgets it
   * once `handle` resolved. Returns the instances this survivor reaped.
   */
  async reap(handle: (dead: DeadInstance) => Promise<void>): Promise<DeadInstance[]> {
    const { redis, keys, instanceId } = this.options;
    const reaped: DeadInstance[] = [];
    for (const dead of await this.findDeadInstances()) {
      const lock = await redis.set(keys.reapLock(dead.instanceId), instanceId, "PX", this.options.lockMs ?? 60_000, "NX");
      if (lock !== "OK") continue;
      // between the scan and the lock it may have come back, or another survivor may have reaped it already
      const [[, listed] = [], [, beating] = []] =
        (await redis.multi().sismember(keys.instances(), dead.instanceId).exists(keys.instance(dead.instanceId)).exec()) ?? [];
      if (listed !== 1 || beating === 1) {
        await redis.del(keys.reapLock(dead.instanceId));
        continue;
      }
      if (dead.runs.length > 0) await handle(dead);
      await redis
        .multi()
        .srem(keys.instances(), dead.instanceId)
        .del(keys.instanceRuns(dead.instanceId))
        .del(keys.reapLock(dead.instanceId))
        .set(keys.reaped(dead.instanceId), instanceId, "PX", REAPED_MARK_MS)
        .exec();
      reaped.push(dead);
    }
    return reaped;
  }

  /** sweeps every `intervalMs` (a sweep is skipped while the previous one runs) */
  start(intervalMs: number, handle: (dead: DeadInstance) => Promise<void>): void {
    this.timer = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = true;
      this.reap(handle)
        .catch((err: Error) => this.options.onError?.(err))
        .finally(() => {
          this.sweeping = false;
        });
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** the runs an instance listed and did not end, each with its last state and its conversation */
  async unendedRuns(instanceId: string): Promise<DeadRun[]> {
    const runIds = await this.options.redis.smembers(this.options.keys.instanceRuns(instanceId));
    const runs: DeadRun[] = [];
    for (const runId of runIds) {
      const state = await this.options.stream.readLatestState(runId).catch(() => null);
      // a run whose final state is stored ended; only its release was lost with the instance
      if (state && state.status !== "streaming") continue;
      const conversationId = state?.conversationId ?? (await this.options.redis.get(this.options.keys.runConversation(runId)));
      runs.push({ runId, state, conversationId });
    }
    return runs;
  }
}
