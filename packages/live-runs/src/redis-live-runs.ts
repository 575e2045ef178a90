import { randomUUID } from "node:crypto";
import { isTerminalRunEvent, type RunEvent, type RunState } from "@alma/protocol";
import type { Redis } from "ioredis";
import { connectRedis } from "./connect-redis.js";
import { ConversationChanges } from "./conversation-changes.js";
import { type DeadInstance, DeadInstanceReaper } from "./dead-instance-reaper.js";
import { InstanceHeartbeat } from "./instance-heartbeat.js";
import { pingRedis, type RedisHealth } from "./ping-redis.js";
import { PubSubHub } from "./pub-sub-hub.js";
import { RedisKeys } from "./redis-keys.js";
import { RedisRunStream, type RedisRunStreamOptions } from "./redis-run-stream.js";
import { RunControl } from "./run-control.js";
import { RunOwnership } from "./run-ownership.js";
import { RunViewers } from "./run-viewers.js";

export interface RedisLiveRunsOptions {
  /** ALMA_REDIS_URL */
  url: string;
  /** every key and channel starts with it (default "alma:") */
  prefix?: string;
  /** this server process (default a random UUID) */
  instanceId?: string;
  /** a stop for a run this instance owns, from any instance */
  onStop: (runId: string, reason: string) => void;
  /** a survivor took this instance for dead and marked its runs interrupted: stop them */
  onReaped?: () => void;
  /** a dead instance's unended runs, handed to exactly one survivor: mark them interrupted in the store */
  onDeadInstance?: (dead: DeadInstance) => Promise<void>;
  onError?: (err: Error, runId: string | null) => void;
  heartbeatTtlMs?: number;
  heartbeatIntervalMs?: number;
  /** how often the dead-instance sweep runs (default the heartbeat interval) */
  reapIntervalMs?: number;
  connectTimeoutMs?: number;
  stream?: Omit<RedisRunStreamOptions, "redis" | "keys" | "onError">;
}

/**
 * Everything one server instance needs for live runs across instances, on one command connection plus one
 * subscriber and the shared stream reader(s): the run streams, ownership and stop, heartbeats and reaping,
 * conversation changes.
 */
export class RedisLiveRuns {
  readonly keys: RedisKeys;
  readonly instanceId: string;
  readonly stream: RedisRunStream;
  readonly ownership: RunOwnership;
  readonly control: RunControl;
  readonly heartbeat: InstanceHeartbeat;
  readonly reaper: DeadInstanceReaper;
  readonly changes: ConversationChanges;
  readonly viewers: RunViewers;
  private readonly pubsub: PubSubHub;

  private constructor(
    readonly redis: Redis,
    private readonly options: RedisLiveRunsOptions,
  ) {
    const onError = options.onError ?? (() => {});
    this.keys = new RedisKeys(options.prefix ?? "alma:");
    this.instanceId = options.instanceId ?? randomUUID();
    this.pubsub = new PubSubHub(redis, `alma-pubsub-${this.instanceId}`);
    this.stream = new RedisRunStream({ ...options.stream, redis, keys: this.keys, onError });
    this.ownership = new RunOwnership({ redis, keys: this.keys, instanceId: this.instanceId });
    this.control = new RunControl({
      redis,
      pubsub: this.pubsub,
      keys: this.keys,
      ownership: this.ownership,
      onStop: options.onStop,
      onError: (e) => onError(e, null),
    });
    this.heartbeat = new InstanceHeartbeat({
      redis,
      keys: this.keys,
      instanceId: this.instanceId,
      ...(options.heartbeatTtlMs ? { ttlMs: options.heartbeatTtlMs } : {}),
      ...(options.heartbeatIntervalMs ? { intervalMs: options.heartbeatIntervalMs } : {}),
      runs: () => this.ownership.ownedRuns(),
      ...(options.onReaped ? { onReaped: options.onReaped } : {}),
      onReannounced: () => {
        this.ownership.reassert().catch((e: Error) => onError(e, null));
      },
      onError: (e) => onError(e, null),
    });
    this.reaper = new DeadInstanceReaper({ redis, keys: this.keys, instanceId: this.instanceId, stream: this.stream, onError: (e) => onError(e, null) });
    this.viewers = new RunViewers({ redis, keys: this.keys, instanceId: this.instanceId });
    this.changes = new ConversationChanges({ redis, pubsub: this.pubsub, keys: this.keys, instanceId: this.instanceId, onError: (e) => onError(e, null) });
  }

  /** connects (failing fast with a clear error), subscribes, announces the instance and starts the sweeps */
  static async start(options: RedisLiveRunsOptions): Promise<RedisLiveRuns> {
    const redis = await connectRedis(options.url, {
      connectionName: "alma",
      ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    });
    const live = new RedisLiveRuns(redis, options);
    try {
      await live.control.start();
      await live.heartbeat.start();
      if (options.onDeadInstance) live.reaper.start(options.reapIntervalMs ?? live.heartbeat.intervalMs, options.onDeadInstance);
    } catch (err) {
      await live.close().catch(() => {});
      throw err;
    }
    return live;
  }

  /** a run starts on this instance: before its first event */
  claim(runId: string, conversationId: string): Promise<void> {
    return this.ownership.claim(runId, conversationId);
  }

  /** every event the LiveRun emits, with its fold after it; the terminal one also releases the run */
  append(event: RunEvent, state: RunState): void {
    this.stream.append(event, state);
    if (isTerminalRunEvent(event)) {
      this.stream
        .flush()
        .then(() => this.ownership.release(event.runId))
        .catch((err: Error) => this.options.onError?.(err, event.runId));
    }
  }

  requestStop(runId: string, reason: string) {
    return this.control.requestStop(runId, reason);
  }

  /** whether a live instance other than this one has a viewer of the run (the owner then keeps it going) */
  hasRemoteViewers(runId: string): Promise<boolean> {
    return this.viewers.watchedElsewhere(runId);
  }

  ping(): Promise<RedisHealth> {
    return pingRedis(this.redis);
  }

  /** stops the sweeps and the heartbeat (leaving unended runs for a survivor), flushes writes, closes connections */
  async close(): Promise<void> {
    this.reaper.stop();
    await this.viewers.close().catch(() => {});
    await this.stream.close();
    await this.heartbeat.stop().catch(() => {});
    await this.control.close().catch(() => {});
    this.pubsub.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
