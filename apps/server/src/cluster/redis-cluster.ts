import { type ConversationChange, RedisLiveRuns } from "@alma/live-runs";
import type { ConversationStore } from "@alma/store";
import type { FastifyBaseLogger } from "fastify";
import type { AppConfig, RedisConfig } from "../config.js";
import { RedisAnswerCache } from "../cache/redis-answer-cache.js";
import type { RateLimiter } from "../limits/rate-limiter.js";
import { RedisRateLimiter } from "../limits/redis-rate-limiter.js";
import { RedisRunSource } from "../runs/redis-run-source.js";
import { RunHub, type RunHubOptions } from "../runs/run-hub.js";
import type { Cluster, ServiceHealth } from "./cluster.js";
import { RedisConversationRunLocks } from "./conversation-run-locks.js";
import { interruptDeadRuns } from "./interrupt-dead-runs.js";

export interface RedisClusterOptions {
  config: AppConfig & { redis: RedisConfig };
  hubOptions: RunHubOptions;
  store: Pick<ConversationStore, "updateAssistantMessage" | "listMessages">;
  log: FastifyBaseLogger;
  now: () => number;
}

/**
 * This server as one of several on one Redis (ALMA_REDIS_URL): its runs are claimed and written to their streams,
 * viewers of other instances' runs follow those streams, stops reach the owner, conversation changes are published,
 * the rate limits are shared, and a survivor marks a dead instance's answers interrupted. Loaded only when Redis is
 * set (build-app imports it on demand), so the in-process path carries none of it.
 */
export class RedisCluster implements Cluster {
  readonly kind = "redis" as const;
  readonly instanceId: string;
  readonly hub: RunHub;
  readonly runs: RedisRunSource;
  readonly publish: (conversationId: string, change: ConversationChange) => void;
  readonly health: () => Promise<ServiceHealth>;
  readonly httpRateLimitRedis: Cluster["httpRateLimitRedis"];
  readonly answerCache: RedisAnswerCache;
  readonly conversationLocks: RedisConversationRunLocks;

  private constructor(
    private readonly live: RedisLiveRuns,
    private readonly o: RedisClusterOptions,
  ) {
    this.instanceId = live.instanceId;
    this.hub = new RunHub({ ...o.hubOptions, relay: live });
    this.runs = new RedisRunSource(this.hub, live, (err, runId) => o.log.error({ err, runId }, "could not follow a run of another instance"));
    this.publish = (conversationId, change) => {
      live.changes
        .publish(conversationId, change)
        .catch((err: unknown) => o.log.error({ err, conversationId }, "could not tell the other instances of a change"));
    };
    this.health = async () => {
      const ping = await live.ping();
      return ping.ok ? { ok: true } : { ok: false, error: ping.error };
    };
    this.httpRateLimitRedis = { redis: live.redis, nameSpace: `${o.config.redis.prefix}rate:http:` };
    this.answerCache = new RedisAnswerCache({ redis: live.redis, keyPrefix: `${o.config.redis.prefix}cache:` });
    // as long as the heartbeat's TTL: a dead owner's locks are gone about when it is taken for dead
    this.conversationLocks = new RedisConversationRunLocks({
      redis: live.redis,
      prefix: o.config.redis.prefix,
      ttlMs: o.config.redis.instanceTtlMs,
      onError: (err, conversationId) => o.log.error({ err, conversationId }, "could not keep or let go of a conversation's run lock"),
    });
  }

  /** connects (a Redis that cannot be reached throws RedisUnreachableError, which stops the start), announces the instance */
  static async start(o: RedisClusterOptions): Promise<RedisCluster> {
    const { redis, instanceId } = o.config;
    let cluster: RedisCluster | null = null;
    const live = await RedisLiveRuns.start({
      url: redis.url,
      prefix: redis.prefix,
      instanceId,
      heartbeatTtlMs: redis.instanceTtlMs,
      heartbeatIntervalMs: Math.max(250, Math.floor(redis.instanceTtlMs / 3)),
      // Stop pressed on another instance, for a run of this one: aborting it closes the upstream request
      onStop: (runId) => cluster?.hub.get(runId)?.stop("user"),
      onReaped: () => {
        o.log.warn({ instanceId }, "another instance took this one for dead (no heartbeat) and marked its answers interrupted; stopping them");
        cluster?.hub.stopAll("shutdown");
      },
      onDeadInstance: (dead) => cluster?.interrupt(dead.instanceId, dead.runs).then(() => undefined) ?? Promise.reject(new Error("not started yet")),
      onError: (err, runId) => o.log.error({ err, runId }, "Redis live runs"),
    });
    cluster = new RedisCluster(live, o);
    return cluster;
  }

  async onChange(handler: (conversationId: string, change: ConversationChange) => void): Promise<void> {
    await this.live.changes.subscribe((conversationId, change) => handler(conversationId, change));
  }

  rateLimiter(name: string, limit: number, windowMs: number): RateLimiter {
    return new RedisRateLimiter(this.live.redis, `${this.o.config.redis.prefix}rate:${name}:`, limit, windowMs);
  }

  /**
   * This instance's runs from an earlier life under the same ALMA_INSTANCE_ID (it restarted before anyone reaped it),
   * then every dead instance's, at once rather than at the first sweep. Runs of live instances are left alone.
   */
  async recoverInterrupted(): Promise<number> {
    const { redis, keys, ownership, reaper } = this.live;
    const owned = new Set(ownership.ownedRuns());
    const leftover = (await redis.smembers(keys.instanceRuns(this.instanceId))).filter((id) => !owned.has(id));
    const runs = (await reaper.unendedRuns(this.instanceId)).filter((r) => !owned.has(r.runId));
    let interrupted = await this.interrupt(this.instanceId, runs);
    if (leftover.length > 0) await redis.srem(keys.instanceRuns(this.instanceId), ...leftover);
    await this.live.reaper.reap(async (dead) => {
      interrupted += await this.interrupt(dead.instanceId, dead.runs);
    });
    return interrupted;
  }

  async close(): Promise<void> {
    this.conversationLocks.close();
    await this.runs.close();
    await this.live.close();
  }

  private interrupt(instanceId: string, runs: Parameters<typeof interruptDeadRuns>[2]): Promise<number> {
    return interruptDeadRuns(
      { store: this.o.store, stream: this.live.stream, now: this.o.now, log: this.o.log, locks: this.conversationLocks },
      instanceId,
      runs,
    );
  }
}
