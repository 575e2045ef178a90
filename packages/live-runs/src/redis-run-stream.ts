import { applyRunEvent, createRunState, type RunEvent, type RunState, runStateSchema } from "@alma/protocol";
import type { Redis } from "ioredis";
import { afterId, decodeEntry, entryFields, entryId, isDuplicateIdError } from "./run-event-codec.js";
import { type FollowEnd, RunFollower } from "./run-follower.js";
import type { RedisKeys } from "./redis-keys.js";
import { RunStreamWriter } from "./run-stream-writer.js";
import { openReaderConnection, SharedStreamReader } from "./shared-stream-reader.js";

export interface RedisRunStreamOptions {
  /** commands and writes */
  redis: Redis;
  keys: RedisKeys;
  /** MAXLEN ~ per run: how many events back a viewer can resume (default 10,000) */
  maxLen?: number;
  /** how long an ended run's keys stay for late resumes (default 5 min) */
  graceMs?: number;
  /** safety TTL of a live run's keys (default 6 h: longer than any run's deadline) */
  liveTtlMs?: number;
  /** how often a streaming run's state snapshot is rewritten (default 1 s) */
  snapshotIntervalMs?: number;
  /** blocking reader connections shared by all followers (default 1) */
  readerConnections?: number;
  /** the longest XREAD block (default 5 s) */
  blockMs?: number;
  onError?: (err: Error, runId: string | null) => void;
}

/**
 * A run's events in a Redis Stream per run, so a viewer on any instance joins from the latest state snapshot and
 * follows with the same guarantee as in one process: every event after the index it has, once, in order.
 */
export class RedisRunStream {
  private readonly writer: RunStreamWriter;
  private readonly readers: SharedStreamReader[] = [];
  private readonly readerCount: number;
  private readonly followers = new Set<RunFollower>();
  private readonly onError: (err: Error, runId: string | null) => void;
  readonly maxLen: number;
  readonly graceMs: number;

  constructor(private readonly options: RedisRunStreamOptions) {
    this.maxLen = options.maxLen ?? 10_000;
    this.graceMs = options.graceMs ?? 5 * 60_000;
    this.readerCount = Math.max(1, options.readerConnections ?? 1);
    this.onError = options.onError ?? (() => {});
    this.writer = new RunStreamWriter({
      redis: options.redis,
      keys: options.keys,
      maxLen: this.maxLen,
      graceMs: this.graceMs,
      liveTtlMs: options.liveTtlMs ?? 6 * 3_600_000,
      snapshotIntervalMs: options.snapshotIntervalMs ?? 1_000,
      onError: (err, runId) => this.onError(err, runId),
    });
  }

  /**
   * Appends an event (stamped by the LiveRun) with the run's fold after it. Cheap and synchronous: writes go out
   * once per tick. A terminal event also snapshots the final state and sets the run's keys to expire after the grace.
   */
  append(event: RunEvent, state?: RunState): void {
    this.writer.append(event, state);
  }

  /** resolves once everything appended so far is written */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /**
   * Writes a terminal event for a run whose owner is gone (a survivor marking it interrupted), at once. False when
   * that index was already written: the owner was alive after all and got there first.
   */
  async appendTerminal(event: RunEvent, state: RunState): Promise<boolean> {
    const { redis, keys } = this.options;
    try {
      await redis.xadd(keys.runEvents(event.runId), "MAXLEN", "~", this.maxLen, entryId(event.index), ...entryFields(event));
    } catch (err) {
      if (isDuplicateIdError(err)) return false;
      throw err;
    }
    const pipeline = redis.pipeline().set(keys.runState(event.runId), JSON.stringify(state), "PX", this.graceMs);
    for (const key of keys.runKeys(event.runId)) pipeline.pexpire(key, this.graceMs);
    await pipeline.exec();
    return true;
  }

  /** the latest snapshot of the run's fold; a late viewer starts from it and reads what follows */
  async readState(runId: string): Promise<RunState | null> {
    const json = await this.options.redis.get(this.options.keys.runState(runId));
    return json === null ? null : runStateSchema.parse(JSON.parse(json));
  }

  /**
   * The run's fold at its newest event: the snapshot plus the events written since (the snapshot alone may be up
   * to `snapshotIntervalMs` old). What a viewer joining on any instance gets as `activeRun`, and what a survivor
   * keeps of a dead instance's run. Null when Redis has nothing of the run.
   */
  async readLatestState(runId: string): Promise<RunState | null> {
    const snapshot = await this.readState(runId);
    const events = await this.readAfter(runId, snapshot?.lastIndex ?? -1);
    if (!snapshot && events.length === 0) return null;
    let state = snapshot ?? createRunState({ runId });
    for (const event of events) if (event.index === state.lastIndex + 1) state = applyRunEvent(state, event);
    return state;
  }

  /** the index of the run's newest event in its stream (-1 when it holds none), read from the entry id alone */
  async lastIndex(runId: string): Promise<number> {
    const [newest] = await this.options.redis.xrevrange(this.options.keys.runEvents(runId), "+", "-", "COUNT", 1);
    return newest ? Number(newest[0].split("-")[1]) - 1 : -1;
  }

  /** the events after `afterIndex` that the stream holds, in order (empty when it holds none) */
  async readAfter(runId: string, afterIndex: number, limit = Number.POSITIVE_INFINITY): Promise<RunEvent[]> {
    const key = this.options.keys.runEvents(runId);
    const events: RunEvent[] = [];
    let from = `(${afterId(afterIndex)}`;
    while (events.length < limit) {
      const count = Math.min(1_000, limit - events.length);
      const page = await this.options.redis.xrange(key, from, "+", "COUNT", count);
      for (const [id, fields] of page) events.push(decodeEntry(runId, id, fields));
      if (page.length < count) break;
      from = `(${page[page.length - 1]![0]}`;
    }
    return events;
  }

  /**
   * Delivers every event after `afterIndex` to `onEvent`, once and in order, live as they are written; resolves
   * after the terminal event, on abort, or when the stream no longer holds the next event the viewer needs
   * (`too_far_behind`: reload the state and follow from it).
   */
  async follow(runId: string, afterIndex: number, onEvent: (event: RunEvent) => void, signal?: AbortSignal): Promise<FollowEnd> {
    if (signal?.aborted) return { reason: "aborted", lastIndex: afterIndex };
    const { redis, keys } = this.options;
    const present = await redis.exists(keys.runEvents(runId), keys.runState(runId), keys.runOwner(runId));
    if (present === 0) return { reason: "not_found", lastIndex: afterIndex };
    const reader = this.pickReader(runId);
    let resolveEnd!: (end: FollowEnd) => void;
    const ended = new Promise<FollowEnd>((resolve) => {
      resolveEnd = resolve;
    });
    const onAbort = () => follower.end({ reason: "aborted" });
    const follower = new RunFollower(
      runId,
      afterIndex,
      onEvent,
      (end) => {
        reader.detach(follower);
        this.followers.delete(follower);
        signal?.removeEventListener("abort", onAbort);
        resolveEnd(end);
      },
      true,
    );
    this.followers.add(follower);
    signal?.addEventListener("abort", onAbort, { once: true });
    // attached before the catch-up read: what the live reader gets meanwhile waits in the follower, so the union
    // of the two has no hole whatever the interleaving
    const { needsCatchUp } = reader.attach(follower);
    if (needsCatchUp) {
      try {
        follower.catchUp(await this.readAfter(runId, afterIndex));
      } catch (err) {
        follower.end({ reason: "failed", error: err as Error });
      }
    }
    follower.caughtUp();
    return ended;
  }

  /** the runs this instance's readers are following, and the readers' connections */
  get stats(): { followers: number; runsRead: number; readerConnections: number } {
    return { followers: this.followers.size, runsRead: this.readers.reduce((n, r) => n + r.runCount, 0), readerConnections: this.readers.length };
  }

  /** ends every follow (aborted) and closes the reader connections; writes already appended are flushed */
  async close(): Promise<void> {
    await this.writer.flush();
    for (const reader of this.readers) reader.close();
    for (const conn of this.readerConnections) conn.disconnect();
    this.readers.length = 0;
    this.readerConnections.length = 0;
  }

  private readonly readerConnections: Redis[] = [];

  /** a run's followers share one reader; new runs go to the least busy one */
  private pickReader(runId: string): SharedStreamReader {
    const current = this.readers.find((r) => r.has(runId));
    if (current) return current;
    let reader: SharedStreamReader;
    if (this.readers.length < this.readerCount) {
      const conn = openReaderConnection(this.options.redis);
      this.readerConnections.push(conn);
      reader = new SharedStreamReader({
        reader: conn,
        control: this.options.redis,
        streamKey: (id) => this.options.keys.runEvents(id),
        blockMs: this.options.blockMs ?? 5_000,
        count: 1_000,
        onError: (err) => this.onError(err, null),
      });
      this.readers.push(reader);
    } else {
      reader = this.readers.reduce((a, b) => (b.runCount < a.runCount ? b : a));
    }
    return reader;
  }
}
