import type { Redis } from "ioredis";
import { z } from "zod";
import type { PubSubHub } from "./pub-sub-hub.js";
import type { RedisKeys } from "./redis-keys.js";
import type { RunOwnership } from "./run-ownership.js";

const stopMessageSchema = z.object({
  type: z.literal("stop"),
  runId: z.string().min(1),
  reason: z.string().max(500),
  from: z.string(),
});

export type StopRequestResult =
  | { delivered: true; owner: string }
  /** no instance owns the run (it ended and expired, or never existed) */
  | { delivered: false; owner: null }
  /** the owner is not listening: it died (its runs are reaped) or lost Redis (it sees the stop key when back) */
  | { delivered: false; owner: string };

export interface RunControlOptions {
  redis: Redis;
  pubsub: PubSubHub;
  keys: RedisKeys;
  ownership: RunOwnership;
  /** called on the owning instance; the server aborts the run (closing the upstream request) */
  onStop: (runId: string, reason: string) => void;
  onError?: (err: Error) => void;
  /** how long a stop stays asked for, for an owner that was briefly away from Redis */
  stopTtlMs?: number;
}

/**
 * Stop pressed on any instance reaches the one that runs the answer: the request names the owner (from
 * `run:<id>:owner`) and is published on that instance's control channel. Pub/sub is at most once, so the request
 * is also left in `run:<id>:stop`; an owner that reconnects reads the stop keys of its runs.
 */
export class RunControl {
  private unsubscribe: (() => Promise<void>) | null = null;
  private offReconnect: (() => void) | null = null;

  constructor(private readonly options: RunControlOptions) {}

  async start(): Promise<void> {
    const { pubsub, keys, ownership } = this.options;
    this.unsubscribe = await pubsub.subscribe(keys.control(ownership.instanceId), (message) => this.received(message));
    this.offReconnect = pubsub.onReconnect(() => void this.checkMissedStops());
  }

  async requestStop(runId: string, reason: string): Promise<StopRequestResult> {
    const { redis, keys, ownership } = this.options;
    const owner = await ownership.ownerOf(runId);
    if (owner === null) return { delivered: false, owner: null };
    if (owner === ownership.instanceId && ownership.isOwnedHere(runId)) {
      this.options.onStop(runId, reason);
      return { delivered: true, owner };
    }
    const message = JSON.stringify({ type: "stop", runId, reason, from: ownership.instanceId });
    const results = await redis
      .multi()
      .set(keys.runStop(runId), reason, "PX", this.options.stopTtlMs ?? 10 * 60_000)
      .publish(keys.control(owner), message)
      .exec();
    const receivers = Number(results?.[1]?.[1] ?? 0);
    return receivers > 0 ? { delivered: true, owner } : { delivered: false, owner };
  }

  async close(): Promise<void> {
    this.offReconnect?.();
    await this.unsubscribe?.();
  }

  private received(message: string): void {
    let parsed: z.infer<typeof stopMessageSchema>;
    try {
      parsed = stopMessageSchema.parse(JSON.parse(message));
    } catch (err) {
      this.options.onError?.(new Error(`ignored a control message that is not a stop request: ${(err as Error).message}`));
      return;
    }
    if (this.options.ownership.isOwnedHere(parsed.runId)) this.options.onStop(parsed.runId, parsed.reason);
  }

  private async checkMissedStops(): Promise<void> {
    const { redis, keys, ownership } = this.options;
    const runs = ownership.ownedRuns();
    if (runs.length === 0) return;
    try {
      const reasons = await redis.mget(...runs.map((r) => keys.runStop(r)));
      reasons.forEach((reason, i) => {
        if (reason !== null && ownership.isOwnedHere(runs[i]!)) this.options.onStop(runs[i]!, reason);
      });
    } catch (err) {
      this.options.onError?.(err as Error);
    }
  }
}
