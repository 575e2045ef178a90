import type { RunEvent } from "@alma/protocol";

/** A viewer of a run (one socket). The run pushes events in index order and never skips one. */
export interface RunSubscriber {
  readonly id: string;
  /** false while the socket's send buffer is over its high-water mark: the run holds events back and catches up later */
  ready(): boolean;
  send(event: RunEvent): void;
  /** the subscriber fell further behind than the replay buffer holds; it must reload the conversation's history */
  overflowed(runId: string, missedFromIndex: number): void;
}
