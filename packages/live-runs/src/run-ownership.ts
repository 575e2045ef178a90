import type { Redis } from "ioredis";
import type { RedisKeys } from "./redis-keys.js";

export interface RunOwnershipOptions {
  redis: Redis;
  keys: RedisKeys;
  instanceId: string;
  /** safety TTL of the owner key while the run goes (the stream's end shortens it to the grace) */
  liveTtlMs?: number;
}

/**
 * Which instance runs which answer: `run:<id>:owner` names the instance (stops are sent there), and the
 * instance's runs set lists what it has not ended, so a survivor knows what to mark interrupted if it dies.
 */
export class RunOwnership {
  /** the runs this instance runs, each with its conversation */
  private readonly owned = new Map<string, string>();

  constructor(private readonly options: RunOwnershipOptions) {}

  get instanceId(): string {
    return this.options.instanceId;
  }

  /**
   * Before the run's first event: a viewer or a stop from another instance can find it from then on, and a survivor
   * finds its answer through `conversationId` even if this instance dies before writing anything to the stream.
   */
  async claim(runId: string, conversationId: string): Promise<void> {
    const { redis, keys, instanceId } = this.options;
    const ttl = this.options.liveTtlMs ?? 6 * 3_600_000;
    this.owned.set(runId, conversationId);
    await redis
      .multi()
      .set(keys.runOwner(runId), instanceId, "PX", ttl)
      .set(keys.runConversation(runId), conversationId, "PX", ttl)
      .sadd(keys.instanceRuns(instanceId), runId)
      .exec();
  }

  /**
   * Writes this instance's ownership of its runs again: after Redis lost it (restarted empty, flushed), a stop from
   * another instance finds the owner again, and a survivor would find the runs should this instance die.
   */
  async reassert(): Promise<void> {
    if (this.owned.size === 0) return;
    const { redis, keys, instanceId } = this.options;
    const ttl = this.options.liveTtlMs ?? 6 * 3_600_000;
    const pipeline = redis.multi();
    for (const [runId, conversationId] of this.owned) {
      pipeline.set(keys.runOwner(runId), instanceId, "PX", ttl).set(keys.runConversation(runId), conversationId, "PX", ttl);
    }
    pipeline.sadd(keys.instanceRuns(instanceId), ...this.owned.keys());
    await pipeline.exec();
  }

  /** the run ended and its terminal event is appended */
  async release(runId: string): Promise<void> {
    this.owned.delete(runId);
    await this.options.redis.srem(this.options.keys.instanceRuns(this.options.instanceId), runId);
  }

  ownerOf(runId: string): Promise<string | null> {
    return this.options.redis.get(this.options.keys.runOwner(runId));
  }

  isOwnedHere(runId: string): boolean {
    return this.owned.has(runId);
  }

  /** the runs this instance runs now */
  ownedRuns(): string[] {
    return [...this.owned.keys()];
  }
}
