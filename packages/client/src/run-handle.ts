import { applyRunEvent, createRunState, isTerminalRunEvent, type RunEvent, type RunState, type ServerFrameOf } from "@alma/protocol";
import type { AlmaClientError } from "./alma-client-error.js";
import { callSafely } from "./event-listeners.js";

export type RunTerminalEvent = ServerFrameOf<"run.completed"> | ServerFrameOf<"run.error">;
export type MessageAcceptedFrame = ServerFrameOf<"message.accepted">;
export type RunStateListener = (state: RunState) => void;

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // a caller that only iterates must not get an unhandled rejection from the promises it ignores
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * One run as the client follows it: its events from run.started to run.completed / run.error, in index
 * order with no gaps or repeats (the client dedupes across reconnects), and `state`, the protocol's fold of
 * them (`applyRunEvent`). Iterate it, await `done`, subscribe to its state, or all three; every iterator
 * starts from the first event the handle got.
 */
export class RunHandle implements AsyncIterable<RunEvent> {
  readonly clientMessageId: string | null;
  /** the server's id for the run, once it is known */
  readonly runId: Promise<string>;
  /** the server's acknowledgement of a message.send / message.edit; null for other kinds of run */
  readonly accepted: Promise<MessageAcceptedFrame | null>;
  /** the terminal event; rejects with an AlmaClientError when the client could not follow the run to its end */
  readonly done: Promise<RunTerminalEvent>;

  private readonly eventsSeen: RunEvent[] = [];
  private readonly runIdDeferred = deferred<string>();
  private readonly acceptedDeferred = deferred<MessageAcceptedFrame | null>();
  private readonly doneDeferred = deferred<RunTerminalEvent>();
  private readonly wakers = new Set<() => void>();
  private readonly listeners = new Set<{ listener: RunStateListener }>();
  private boundRunId: string | null = null;
  private seedState: RunState | null = null;
  private runState: RunState | null = null;
  private failure: AlmaClientError | null = null;
  private terminal: RunTerminalEvent | null = null;
  private stopRequested = false;

  constructor(
    private readonly stopRun: (runId: string) => void,
    clientMessageId: string | null = null,
  ) {
    this.clientMessageId = clientMessageId;
    this.runId = this.runIdDeferred.promise;
    this.accepted = this.acceptedDeferred.promise;
    this.done = this.doneDeferred.promise;
  }

  get currentRunId(): string | null {
    return this.boundRunId;
  }

  get events(): readonly RunEvent[] {
    return this.eventsSeen;
  }

  /**
   * The fold of every event this handle got: null until the run id is known, then `createRunState({ runId })`
   * (or the seed given to `resume`) with each event applied. conversationId, assistantMessageId and the rest
   * come from run.started.
   */
  get state(): RunState | null {
    return this.runState;
  }

  get finished(): boolean {
    return this.terminal !== null || this.failure !== null;
  }

  /**
   * Calls `listener` with the state after every event folded in (synchronously, in order), once right away when
   * the state is known, and once when the run id becomes known if it was not yet. Returns the unsubscribe function.
   * A listener that throws is logged; the others and the stream go on.
   */
  subscribe(listener: RunStateListener): () => void {
    const entry = { listener };
    this.listeners.add(entry);
    if (this.runState !== null) callSafely("a run state listener", listener, this.runState);
    return () => {
      this.listeners.delete(entry);
    };
  }

  /** Stops the run (as the stop button does); before the run id is known, it stops as soon as it is. */
  stop(): void {
    if (this.finished || this.stopRequested) return;
    this.stopRequested = true;
    if (this.boundRunId !== null) this.stopRun(this.boundRunId);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RunEvent> {
    let cursor = 0;
    for (;;) {
      while (cursor < this.eventsSeen.length) yield this.eventsSeen[cursor++]!;
      if (this.terminal) return;
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => this.wakers.add(resolve));
    }
  }

  /** @internal the state the handle started from (what `bind` was given) */
  get seed(): RunState | null {
    return this.seedState;
  }

  /** @internal the client calls this when the server acknowledged the message */
  acknowledge(frame: MessageAcceptedFrame): void {
    this.acceptedDeferred.resolve(frame);
  }

  /** @internal the run id is known; `seed` is the run's state before the first event this handle will get */
  bind(runId: string, seed: RunState = createRunState({ runId })): void {
    if (this.boundRunId !== null) return;
    this.boundRunId = runId;
    this.seedState = seed;
    this.runState = seed;
    this.acceptedDeferred.resolve(null);
    this.runIdDeferred.resolve(runId);
    if (this.stopRequested) this.stopRun(runId);
    this.notify();
  }

  /** @internal events arrive here already ordered and deduplicated */
  push(event: RunEvent): void {
    if (this.finished) return;
    this.eventsSeen.push(event);
    this.runState = applyRunEvent(this.runState ?? createRunState({ runId: event.runId }), event);
    if (isTerminalRunEvent(event)) {
      this.terminal = event;
      this.doneDeferred.resolve(event);
    }
    this.wake();
    this.notify();
  }

  /** @internal */
  fail(error: AlmaClientError): void {
    if (this.finished) return;
    this.failure = error;
    this.runIdDeferred.reject(error);
    this.acceptedDeferred.reject(error);
    this.doneDeferred.reject(error);
    this.wake();
  }

  private notify(): void {
    const state = this.runState;
    if (state === null || this.listeners.size === 0) return;
    for (const { listener } of [...this.listeners]) callSafely("a run state listener", listener, state);
  }

  private wake(): void {
    if (this.wakers.size === 0) return;
    const wakers = [...this.wakers];
    this.wakers.clear();
    for (const wake of wakers) wake();
  }
}
