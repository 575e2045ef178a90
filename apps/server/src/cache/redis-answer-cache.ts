import { type AnswerCache, type CachedAnswer, cachedAnswerSchema } from "@alma/agent";
import { type Classification, classificationSchema } from "@alma/protocol";
import type { Redis } from "ioredis";

export interface RedisAnswerCacheOptions {
  redis: Redis;
  /** the deployment's prefix plus the cache's own, such as `alma:cache:` */
  keyPrefix: string;
  /** how long an answer is kept (default 24 h, as the SQLite cache) */
  ttlMs?: number;
  /** an answer larger than this is not kept (default 1 MB) */
  maxEntryBytes?: number;
}

/**
 * The Manager Agent's answer cache shared by every instance on one Redis: a repeated question is answered from the
 * cache whichever server gets it. Each entry expires after the TTL and a large one is not kept; size Redis for it
 * rather than letting it evict (an evicting maxmemory-policy could drop a live run's stream too). Entries are checked
 * on read, so one written by an incompatible version is dropped, never replayed.
 */
export class RedisAnswerCache implements AnswerCache {
  private readonly ttlMs: number;
  private readonly maxEntryBytes: number;

  constructor(private readonly o: RedisAnswerCacheOptions) {
    this.ttlMs = o.ttlMs ?? 24 * 60 * 60 * 1000;
    this.maxEntryBytes = o.maxEntryBytes ?? 1024 * 1024;
  }

  async get(key: string): Promise<CachedAnswer | null> {
    return this.read(`${this.o.keyPrefix}answer:${key}`, (json) => cachedAnswerSchema.safeParse(json));
  }

  async set(key: string, answer: CachedAnswer): Promise<void> {
    await this.write(`${this.o.keyPrefix}answer:${key}`, answer);
  }

  async getClassification(key: string): Promise<Classification | null> {
    return this.read(`${this.o.keyPrefix}class:${key}`, (json) => classificationSchema.safeParse(json));
  }

  async setClassification(key: string, classification: Classification): Promise<void> {
    await this.write(`${this.o.keyPrefix}class:${key}`, classification);
  }

  private async read<T>(redisKey: string, parse: (json: unknown) => { success: true; data: T } | { success: false }): Promise<T | null> {
    const raw = await this.o.redis.get(redisKey);
    if (raw === null) return null;
    let parsed: { success: true; data: T } | { success: false };
    try {
      parsed = parse(JSON.parse(raw));
    } catch {
      parsed = { success: false };
    }
    if (parsed.success) return parsed.data;
    await this.o.redis.del(redisKey);
    return null;
  }

  private async write(redisKey: string, value: unknown): Promise<void> {
    const json = JSON.stringify(value);
    if (Buffer.byteLength(json) > this.maxEntryBytes) return;
    await this.o.redis.set(redisKey, json, "PX", this.ttlMs);
  }
}
