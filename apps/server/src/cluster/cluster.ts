import type { AnswerCache } from "@alma/agent";
import type { ConversationChange } from "@alma/live-runs";
import type { Redis } from "ioredis";
import type { PublishChange } from "../chat/conversation-change-feed.js";
import type { RateLimiter } from "../limits/rate-limiter.js";
import type { RunHub } from "../runs/run-hub.js";
import type { RunSource } from "../runs/run-source.js";
import type { ConversationRunLocks } from "./conversation-run-locks.js";

export type ServiceHealth = { ok: true } | { ok: false; error: string };

/**
 * What one server shares with the other instances of a deployment, or keeps to itself when it is the only one:
 * its live runs and how viewers find runs, conversation changes, the rate limits, and answers a crash left
 * streaming. In-process (no ALMA_REDIS_URL) it is today's single server; with Redis, any instance serves any viewer.
 */
export interface Cluster {
  readonly kind: "in-process" | "redis";
  readonly instanceId: string;
  readonly hub: RunHub;
  readonly runs: RunSource;
  /** other instances hear of a conversation change; null in-process */
  readonly publish: PublishChange | null;
  /** for /health; null in-process */
  readonly health: (() => Promise<ServiceHealth>) | null;
  /** the HTTP API's rate limit store (@fastify/rate-limit's `redis`), shared by the instances; null in-process */
  readonly httpRateLimitRedis: { redis: Redis; nameSpace: string } | null;
  /** another instance's conversation changes reach `handler` from now on */
  onChange(handler: (conversationId: string, change: ConversationChange) => void): Promise<void>;
  rateLimiter(name: string, limit: number, windowMs: number): RateLimiter;
  /** one run per conversation across the instances; null in-process (the hub alone knows every run) */
  readonly conversationLocks: ConversationRunLocks | null;
  /** the agent's answer cache shared by the instances; null: the server's own (SQLite) */
  readonly answerCache: AnswerCache | null;
  /**
   * At start: answers left streaming by a crash are marked interrupted. In-process all of them; with Redis only
   * this instance's from an earlier life and dead instances' (the reaper), never a run another instance is running.
   */
  recoverInterrupted(): Promise<number>;
  close(): Promise<void>;
}
