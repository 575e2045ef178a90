import { isTerminalRunEvent, type RunEvent, type RunState } from "@alma/protocol";
import type { ChainableCommander, Redis } from "ioredis";
import { entryFields, entryId, isDuplicateIdError } from "./run-event-codec.js";
import type { RedisKeys } from "./redis-keys.js";

export interface RunStreamWriterOptions {
  redis: Redis;
  keys: RedisKeys;
  /** MAXLEN ~ of each run's stream: how far back a viewer can resume */
  maxLen: number;
  /** how long an ended run's keys stay, for viewers that resume late */
  graceMs: number;
  /** a safety TTL on a live run's keys, in case its owner and every reaper vanish */
  liveTtlMs: number;
  /** the state snapshot is rewritten at most this often while a run streams (and always at its end) */
  snapshotIntervalMs: number;
  /** a write that failed (Redis down past ioredis' retries); the run goes on locally */
  onError: (err: Error, runId: string) => void;
}

interface PendingRun {
  events: RunEvent[];
  state: RunState | null;
  ended: boolean;
}

interface RunWriteState {
  started: boolean;
  snapshotAt: number;
  eventsSinceSnapshot: number;
}

/**
 * Writes runs' events to their streams. `append` is synchronous and cheap: events queue per run and go out once
 * per event-loop tick, every run's together in one pipeline (one write, one round trip), so a model chunk that
 * gives several events, or many runs streaming at once, costs one network write, not one per event.
 */
export class RunStreamWriter {
  private pending = new Map<string, PendingRun>();
  private readonly runs = new Map<string, RunWriteState>();
  private scheduled = false;
  private inflight = new Set<Promise<void>>();

  constructor(private readonly options: RunStreamWriterOptions) {}

  /** queues the event; `state` is the run's fold after it (snapshotted now and then, and at the end) */
  append(event: RunEvent, state?: RunState): void {
    let run = this.pending.get(event.runId);
    if (!run) {
      run = { events: [], state: null, ended: false };
      this.pending.set(event.runId, run);
    }
    run.events.push(event);
    if (state) run.state = state;
    if (isTerminalRunEvent(event)) run.ended = true;
    this.schedule();
  }

  /** resolves once everything appended so far is in Redis (or failed and was reported) */
  async flush(): Promise<void> {
    if (this.pending.size > 0) this.send();
    await Promise.all([...this.inflight]);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.send();
    });
  }

  private send(): void {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const { redis, keys, maxLen } = this.options;
    // MULTI/EXEC rather than a bare pipeline: Redis serves blocked XREADs after the whole transaction, so a
    // follower gets the tick's events in one reply instead of waking on the first XADD and asking again
    const pipeline = redis.multi();
    // which run each queued command belongs to, to report failures by run
    const owners: string[] = [];
    const now = Date.now();
    for (const [runId, run] of batch) {
      const key = keys.runEvents(runId);
      for (const event of run.events) {
        pipeline.xadd(key, "MAXLEN", "~", maxLen, entryId(event.index), ...entryFields(event));
        owners.push(runId);
      }
      const write = this.runs.get(runId) ?? { started: false, snapshotAt: 0, eventsSinceSnapshot: 0 };
      this.runs.set(runId, write);
      write.eventsSinceSnapshot += run.events.length;
      if (!write.started) {
        write.started = true;
        pipeline.pexpire(key, this.options.liveTtlMs);
        owners.push(runId);
      }
      if (run.ended) {
        this.end(pipeline, owners, runId, run.state);
        this.runs.delete(runId);
      } else if (run.state && this.snapshotDue(write, now)) {
        // after the XADDs in the same pipeline: a reader that sees the snapshot at index S finds every event up to S
        pipeline.set(keys.runState(runId), JSON.stringify(run.state), "PX", this.options.liveTtlMs);
        owners.push(runId);
        write.snapshotAt = now;
        write.eventsSinceSnapshot = 0;
      }
    }
    const done = pipeline.exec().then(
      (results) => this.report(results, owners),
      (err: Error) => {
        for (const runId of new Set(owners)) this.options.onError(err, runId);
      },
    );
    this.inflight.add(done);
    void done.finally(() => this.inflight.delete(done));
  }

  /** the snapshot must stay newer than what the capped stream still holds, so a joiner never falls in a hole */
  private snapshotDue(write: RunWriteState, now: number): boolean {
    return now - write.snapshotAt >= this.options.snapshotIntervalMs || write.eventsSinceSnapshot >= this.options.maxLen / 2;
  }

  private end(pipeline: ChainableCommander, owners: string[], runId: string, state: RunState | null): void {
    const { keys, graceMs } = this.options;
    if (state) {
      pipeline.set(keys.runState(runId), JSON.stringify(state), "PX", graceMs);
      owners.push(runId);
    }
    for (const key of keys.runKeys(runId)) {
      pipeline.pexpire(key, graceMs);
      owners.push(runId);
    }
  }

  private report(results: Array<[Error | null, unknown]> | null, owners: string[]): void {
    if (!results) return;
    const reported = new Set<string>();
    results.forEach(([err], i) => {
      const runId = owners[i]!;
      // an index already there: a resend after a reconnect, or a survivor that ended this run first
      if (!err || isDuplicateIdError(err) || reported.has(runId)) return;
      reported.add(runId);
      this.options.onError(err, runId);
    });
  }
}
