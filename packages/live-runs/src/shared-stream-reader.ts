import type { RunEvent } from "@alma/protocol";
import type { Redis } from "ioredis";
import { afterId, decodeEntry, streamsOfReply } from "./run-event-codec.js";
import type { RunFollower } from "./run-follower.js";

export interface SharedStreamReaderOptions {
  /** a connection of its own: it spends its time blocked in XREAD */
  reader: Redis;
  /** any other connection, for CLIENT UNBLOCK when a run joins while the reader is blocked */
  control: Redis;
  streamKey: (runId: string) => string;
  /** the longest XREAD block; a new run normally joins at once (CLIENT UNBLOCK), this bounds the worst case */
  blockMs: number;
  /** entries per stream per XREAD */
  count: number;
  onError: (err: Error) => void;
}

/**
 * The reader's own connection. A blocked XREAD is not sent again after a reconnect (ioredis drops it, and the reader
 * stops waiting for it when the connection closes): the loop asks the new connection's id before its next XREAD, so CLIENT UNBLOCK reaches it when a run joins (a resent XREAD
 * would block on a connection whose id the reader no longer knows, and a run joining then would wait out the block).
 */
export function openReaderConnection(redis: Redis): Redis {
  const conn = redis.duplicate({
    connectionName: "alma-run-reader",
    maxRetriesPerRequest: null,
    commandTimeout: undefined,
    autoResendUnfulfilledCommands: false,
  });
  // reconnects are ioredis's; a failed XREAD reaches the reader's onError, so the event itself is not reported twice
  conn.on("error", () => {});
  return conn;
}

interface RunTail {
  runId: string;
  key: string;
  /** the newest index read for this run */
  cursor: number;
  followers: Set<RunFollower>;
}

/**
 * One blocking XREAD over every run this instance's viewers follow: a single connection and a single loop however
 * many viewers, and a run watched by many viewers is read and decoded once, then fanned out.
 */
export class SharedStreamReader {
  private readonly tails = new Map<string, RunTail>();
  private running = false;
  private closed = false;
  /** the reader's CLIENT ID while connected (it changes on reconnect) */
  private clientId: number | null = null;
  /** set while an XREAD is out, with the runs it covers */
  private blockedOn: Set<string> | null = null;
  private iteration = 0;
  /** fails the XREAD being waited for: its connection closed (a reader connection does not send it again) */
  private dropped: ((err: Error) => void) | null = null;

  constructor(private readonly options: SharedStreamReaderOptions) {
    options.reader.on("close", () => {
      this.clientId = null;
      this.dropped?.(new Error("the run reader's Redis connection closed while it waited; it reads again once reconnected"));
    });
  }

  has(runId: string): boolean {
    return this.tails.has(runId);
  }

  get runCount(): number {
    return this.tails.size;
  }

  /**
   * Adds a follower. A run new to this reader starts reading after `afterIndex` and the follower needs no catch-up;
   * for a run already read, the follower must catch up from the stream itself (returns true).
   */
  attach(follower: RunFollower): { needsCatchUp: boolean } {
    const existing = this.tails.get(follower.runId);
    if (existing) {
      existing.followers.add(follower);
      return { needsCatchUp: true };
    }
    this.tails.set(follower.runId, {
      runId: follower.runId,
      key: this.options.streamKey(follower.runId),
      cursor: follower.lastIndex,
      followers: new Set([follower]),
    });
    this.wake(follower.runId);
    return { needsCatchUp: false };
  }

  detach(follower: RunFollower): void {
    const tail = this.tails.get(follower.runId);
    if (!tail) return;
    tail.followers.delete(follower);
    // the blocked XREAD may still name it: its entries are dropped when they come
    if (tail.followers.size === 0) this.tails.delete(follower.runId);
  }

  close(): void {
    this.closed = true;
    for (const tail of this.tails.values()) for (const f of tail.followers) f.end({ reason: "aborted" });
    this.tails.clear();
  }

  private wake(runId: string): void {
    if (!this.running) {
      this.running = true;
      void this.loop();
      return;
    }
    if (this.blockedOn && !this.blockedOn.has(runId)) void this.unblock(this.iteration);
  }

  /** ends the current block so the next XREAD includes the new run; retried if the XREAD had not reached Redis yet */
  private async unblock(iteration: number): Promise<void> {
    for (let attempt = 0; attempt < 100 && this.blockedOn && this.iteration === iteration; attempt++) {
      if (this.clientId !== null) {
        try {
          const n = await this.options.control.call("CLIENT", "UNBLOCK", this.clientId);
          if (n === 1) return;
        } catch (err) {
          this.options.onError(err as Error);
          return;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (this.tails.size > 0 && !this.closed) {
      let reply: unknown;
      try {
        if (this.clientId === null) this.clientId = Number(await this.untilClosed(this.options.reader.call("CLIENT", "ID")));
        // the runs are listed after that await, in the same tick as the XREAD goes out: a run that joined while the
        // id was asked (no XREAD out, so nothing to unblock) is in this one rather than left for the next
        if (this.tails.size === 0 || this.closed) break;
        const tails = [...this.tails.values()];
        const args: (string | number)[] = ["COUNT", this.options.count, "BLOCK", this.options.blockMs, "STREAMS"];
        for (const t of tails) args.push(t.key);
        for (const t of tails) args.push(afterId(t.cursor));
        this.iteration++;
        this.blockedOn = new Set(tails.map((t) => t.runId));
        reply = await this.untilClosed(this.options.reader.call("XREAD", ...args));
        failures = 0;
      } catch (err) {
        this.blockedOn = null;
        if (this.closed) break;
        this.options.onError(err as Error);
        failures++;
        // Redis is away: ioredis reconnects; the cursors are kept, so nothing is skipped when it is back
        await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** failures, 2_000)));
        continue;
      }
      this.blockedOn = null;
      this.deliver(reply);
    }
    this.running = false;
    // a follower may have attached between the last check and now
    if (this.tails.size > 0 && !this.closed) this.wake([...this.tails.keys()][0]!);
  }

  /** a command on the reader's connection, failed if the connection closes first (ioredis would drop it unsettled) */
  private untilClosed<T>(command: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.dropped = reject;
      command.then(resolve, reject);
    }).finally(() => {
      this.dropped = null;
    });
  }

  private deliver(reply: unknown): void {
    const byKey = new Map<string, RunTail>();
    for (const t of this.tails.values()) byKey.set(t.key, t);
    for (const [key, entries] of streamsOfReply(reply)) {
      const tail = byKey.get(key);
      if (!tail) continue;
      for (const [id, fields] of entries) {
        let event: RunEvent;
        try {
          event = decodeEntry(tail.runId, id, fields);
        } catch (err) {
          for (const f of tail.followers) f.end({ reason: "failed", error: err as Error });
          this.tails.delete(tail.runId);
          break;
        }
        if (event.index <= tail.cursor) continue;
        tail.cursor = event.index;
        for (const f of tail.followers) {
          f.offer(event);
          if (f.isFinished) tail.followers.delete(f);
        }
        if (tail.followers.size === 0) {
          this.tails.delete(tail.runId);
          break;
        }
      }
    }
  }
}
