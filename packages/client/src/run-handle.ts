import type { RunEvent, ServerFrameOf } from "@alma/protocol";
import type { AlmaClientError } from "./alma-client-error.js";

export type RunTerminalEvent = ServerFrameOf<"run.completed"> | ServerFrameOf<"run.error">;
export type MessageAcceptedFrame = ServerFrameOf<"message.accepted">;

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
 * order with no gaps or repeats (the client dedupes across reconnects). Iterate it, await `done`, or both;
 * every iterator starts from the run's first event.
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
  private boundRunId: string | null = null;
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

  get finished(): boolean {
    return this.terminal !== null || this.failure !== null;
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

  /** @internal the client calls this when the server acknowledged the message */
  acknowledge(frame: MessageAcceptedFrame): void {
    this.acceptedDeferred.resolve(frame);
  }

  /** @internal */
  bind(runId: string): void {
    if (this.boundRunId !== null) return;
    this.boundRunId = runId;
    this.acceptedDeferred.resolve(null);
    this.runIdDeferred.resolve(runId);
    if (this.stopRequested) this.stopRun(runId);
  }

  /** @internal events arrive here already ordered and deduplicated */
  push(event: RunEvent): void {
    if (this.finished) return;
    this.eventsSeen.push(event);
    if (event.type === "run.completed" || event.type === "run.error") {
      this.terminal = event;
      this.doneDeferred.resolve(event);
    }
    this.wake();
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

  private wake(): void {
    if (this.wakers.size === 0) return;
    const wakers = [...this.wakers];
    this.wakers.clear();
    for (const wake of wakers) wake();
  }
}
