import type { RunEvent } from "@alma/protocol";
import type { FollowEnd } from "@alma/live-runs";
import type { RunSubscriber } from "./run-subscriber.js";

/** how often a congested socket is checked for room again (as LiveRun's pump does) */
const DRAIN_POLL_MS = 25;

export interface RemoteRunWatchOptions {
  runId: string;
  sub: RunSubscriber;
  afterIndex: number;
  /** the run's stream on Redis: every event after an index, once and in order, until the end */
  follow: (runId: string, afterIndex: number, onEvent: (event: RunEvent) => void, signal: AbortSignal) => Promise<FollowEnd>;
  onFailed: (err: Error) => void;
  /** the watch is over (the run ended, the viewer left, or it fell too far behind) */
  onDone: () => void;
}

/**
 * One viewer of a run that lives on another instance, fed from the run's Redis Stream. Backpressure as in-process:
 * while the socket is congested the follow is aborted and nothing is queued; once it drains, the follow starts
 * again after the last index sent (a catch-up is one XRANGE), so the viewer gets every event once, in order.
 */
export class RemoteRunWatch {
  private lastSent: number;
  private current: AbortController | null = null;
  private closed = false;

  constructor(private readonly o: RemoteRunWatchOptions) {
    this.lastSent = o.afterIndex;
  }

  get lastIndex(): number {
    return this.lastSent;
  }

  start(): void {
    void this.loop().finally(() => this.o.onDone());
  }

  /** the viewer left or watches the run from elsewhere now */
  close(): void {
    this.closed = true;
    this.current?.abort();
  }

  private async loop(): Promise<void> {
    const { sub, runId } = this.o;
    while (!this.closed) {
      const controller = new AbortController();
      this.current = controller;
      let congested = false;
      const end = await this.o.follow(
        runId,
        this.lastSent,
        (event) => {
          if (!sub.ready()) {
            // not sent: the next follow reads it again
            congested = true;
            controller.abort();
            return;
          }
          sub.send(event);
          this.lastSent = event.index;
        },
        controller.signal,
      );
      if (this.closed) return;
      switch (end.reason) {
        case "ended":
          return;
        case "aborted":
          if (!congested) return;
          await this.drained();
          continue;
        case "not_found":
          // it ended and expired meanwhile: what it gave is in the store
          sub.overflowed(runId, this.lastSent + 1);
          return;
        case "too_far_behind":
          sub.overflowed(runId, this.lastSent + 1);
          return;
        case "failed":
          this.o.onFailed(end.error);
          sub.overflowed(runId, this.lastSent + 1);
          return;
      }
    }
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setInterval(() => {
        if (this.closed || this.o.sub.ready()) {
          clearInterval(timer);
          resolve();
        }
      }, DRAIN_POLL_MS);
      timer.unref();
    });
  }
}
