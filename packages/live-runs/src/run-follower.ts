import { isTerminalRunEvent, type RunEvent } from "@alma/protocol";

/** How a follow ended: the run's terminal event was delivered, the caller aborted, or the stream lost the events it needed. */
export type FollowEnd =
  | { reason: "ended"; lastIndex: number }
  | { reason: "aborted"; lastIndex: number }
  | { reason: "not_found"; lastIndex: number }
  | { reason: "too_far_behind"; lastIndex: number; oldestIndex: number }
  | { reason: "failed"; lastIndex: number; error: Error };

/** a FollowEnd before the follower stamps its position in */
type FollowEndWithoutIndex = FollowEnd extends infer E ? (E extends FollowEnd ? Omit<E, "lastIndex"> : never) : never;

/**
 * One viewer's position in a run: takes events from a catch-up read and from the shared live reader in any
 * interleaving, and hands them on exactly once, in index order, without a gap. While it catches up, live events
 * wait in `pending`; an index it has already passed is dropped; an index past a hole means the capped stream no
 * longer holds what it needs.
 */
export class RunFollower {
  private pending: RunEvent[] = [];
  private catchingUp: boolean;
  private finished = false;

  constructor(
    readonly runId: string,
    private last: number,
    private readonly onEvent: (event: RunEvent) => void,
    private readonly onEnd: (end: FollowEnd) => void,
    catchingUp: boolean,
  ) {
    this.catchingUp = catchingUp;
  }

  get lastIndex(): number {
    return this.last;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** an event from the live reader */
  offer(event: RunEvent): void {
    if (this.finished) return;
    if (this.catchingUp) this.pending.push(event);
    else this.accept(event);
  }

  /** events from the catch-up read, in order */
  catchUp(events: readonly RunEvent[]): void {
    for (const event of events) {
      if (this.finished) return;
      this.accept(event);
    }
  }

  /** the catch-up read is done: what the live reader gave meanwhile follows */
  caughtUp(): void {
    this.catchingUp = false;
    const pending = this.pending;
    this.pending = [];
    for (const event of pending) {
      if (this.finished) return;
      this.accept(event);
    }
  }

  end(end: FollowEndWithoutIndex): void {
    if (this.finished) return;
    this.finished = true;
    this.pending = [];
    this.onEnd({ ...end, lastIndex: this.last } as FollowEnd);
  }

  private accept(event: RunEvent): void {
    if (event.index <= this.last) return;
    if (event.index > this.last + 1) {
      this.end({ reason: "too_far_behind", oldestIndex: event.index });
      return;
    }
    this.last = event.index;
    try {
      this.onEvent(event);
    } catch (err) {
      this.end({ reason: "failed", error: err as Error });
      return;
    }
    if (isTerminalRunEvent(event)) this.end({ reason: "ended" });
  }
}
