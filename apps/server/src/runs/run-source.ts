import type { RunState } from "@alma/protocol";
import type { RunSubscriber } from "./run-subscriber.js";

export type WatchResult = { ok: true } | { ok: false; reason: "ended" | "too_far_behind"; oldestIndex: number };

/** what a stop asked for became: the run was told; no run of that id is going; its instance is gone (it will be reaped) */
export type StopResult = "stopped" | "not_running" | "owner_gone";

/**
 * Where viewers find a run by its id, wherever it runs: the in-process source serves this server's live runs; with
 * Redis, runs of other instances are followed from their streams. Everything above (resume, late join, the history's
 * active run, stop, followers of a conversation) goes through this one seam, so both paths send the same frames.
 */
export interface RunSource {
  /** the run's fold now, while it is still being written (null once it ended, or when no one runs it) */
  liveState(runId: string): Promise<RunState | null>;
  /**
   * Sends `sub` every event after `afterIndex`, then live ones, in order and once, with backpressure (a congested
   * socket is caught up later). Watching a run again moves the viewer's position.
   */
  watch(sub: RunSubscriber, runId: string, afterIndex: number): Promise<WatchResult>;
  isWatching(sub: RunSubscriber, runId: string): boolean;
  /** Stop pressed: the instance that runs the answer aborts it (and so its upstream request) */
  stop(runId: string): Promise<StopResult>;
  /** a socket closed: it watches nothing from now on and follows no conversation */
  detach(sub: RunSubscriber): void;
  close(): Promise<void>;
}
