import type { Redis } from "ioredis";

/**
 * One run per conversation across the instances: a conversation's lock is taken before its run's messages are
 * stored, names the run once it exists, is kept while the run goes and let go at its end. In-process there is none
 * (the hub alone knows every run).
 */
export interface ConversationRunLocks {
  /** takes the conversation's lock under `token` (the run is not created yet); false: another run holds it */
  acquire(conversationId: string, token: string): Promise<boolean>;
  /** the run exists: the lock names `runId` from now on and is refreshed while `running()` says so, released after */
  hold(conversationId: string, token: string, runId: string, running: () => boolean): Promise<void>;
  /** the token or run id holding the conversation's lock, if any */
  holder(conversationId: string): Promise<string | null>;
  /** lets the lock go if `owner` (a token or a run id) still holds it */
  release(conversationId: string, owner: string): Promise<void>;
  /** stops refreshing: this instance's locks expire on their own (the runs of a closing server end with it) */
  close(): void;
}

// compare-and-act: only the holder named in ARGV[1] may refresh, rename or delete its lock
const REFRESH = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;
const RENAME = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("set", KEYS[1], ARGV[2], "PX", ARGV[3]) and 1 else return 0 end`;
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

const END_CHECK_MS = 50;

export interface RedisConversationRunLocksOptions {
  redis: Redis;
  /** the deployment's key prefix (ALMA_REDIS_PREFIX) */
  prefix: string;
  /** how long a lock outlives its last refresh: a dead owner's lock is gone this long after it died */
  ttlMs: number;
  onError: (err: unknown, conversationId: string) => void;
}

/** `conversation:<id>:run` set NX with a TTL, refreshed every third of it by the instance whose run holds it */
export class RedisConversationRunLocks implements ConversationRunLocks {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly o: RedisConversationRunLocksOptions) {}

  private key(conversationId: string): string {
    return `${this.o.prefix}conversation:${conversationId}:run`;
  }

  async acquire(conversationId: string, token: string): Promise<boolean> {
    return (await this.o.redis.set(this.key(conversationId), token, "PX", this.o.ttlMs, "NX")) === "OK";
  }

  holder(conversationId: string): Promise<string | null> {
    return this.o.redis.get(this.key(conversationId));
  }

  async hold(conversationId: string, token: string, runId: string, running: () => boolean): Promise<void> {
    const key = this.key(conversationId);
    const renamed = await this.o.redis.eval(RENAME, 1, key, token, runId, String(this.o.ttlMs));
    // lost already (this process paused past the TTL): the run goes on, but the lock is another's now
    if (renamed !== 1) return;
    const refreshEvery = Math.floor(this.o.ttlMs / 3);
    let refreshed = Date.now();
    // the run's end is looked at often (no Redis call) so the next message in the conversation is not held up
    const timer = setInterval(() => {
      const fail = (err: unknown) => this.o.onError(err, conversationId);
      if (!running()) {
        this.stop(timer);
        this.o.redis.eval(RELEASE, 1, key, runId).catch(fail);
      } else if (Date.now() - refreshed >= refreshEvery) {
        refreshed = Date.now();
        this.o.redis.eval(REFRESH, 1, key, runId, String(this.o.ttlMs)).catch(fail);
      }
    }, END_CHECK_MS);
    timer.unref();
    this.timers.add(timer);
  }

  async release(conversationId: string, owner: string): Promise<void> {
    await this.o.redis.eval(RELEASE, 1, this.key(conversationId), owner);
  }

  close(): void {
    for (const t of [...this.timers]) this.stop(t);
  }

  private stop(timer: NodeJS.Timeout): void {
    clearInterval(timer);
    this.timers.delete(timer);
  }
}
