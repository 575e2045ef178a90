import { createRunState, isTerminalRunEvent, type RunEvent, type RunState, type ServerFrameOf } from "@alma/protocol";
import { AlmaClientError } from "./alma-client-error.js";
import type { ReceivedFrame } from "./client-events.js";
import type { RunHandle } from "./run-handle.js";

/** What the follower needs from the rest of the client. */
export interface RunFollowerHost {
  /** asks the server to replay a run after `afterIndex` (the registry keeps it pending, so a refusal finds the run) */
  resume(runId: string, afterIndex: number): void;
  /** the first event after a run.resume answers it */
  resumeAnswered(runId: string): void;
  /** a sent regenerate/continue of this conversation, waiting for its run.started */
  claimStarted(conversationId: string): RunHandle | null;
  /** whether a request not yet answered may have started a run of this conversation (null: not known yet) */
  mayOwn(conversationId: string | null): boolean;
  /** a handle for a run nobody here started */
  createHandle(): RunHandle;
  /** a handle now follows a run: the client's "run" event */
  announce(handle: RunHandle): void;
  /** an event, in order and once, after the handles got it: the client's "frame" event */
  emitFrame(received: ReceivedFrame): void;
}

interface RunTracker {
  runId: string;
  /** the last index delivered in order */
  lastIndex: number;
  /** events that arrived ahead of a gap, by index */
  ahead: Map<number, ReceivedFrame>;
  handles: RunHandle[];
  /** events delivered while no handle followed the run (message.accepted can trail the first events) */
  early: RunEvent[];
  /** the index of the last early event held once the cap was reached; later ones are fetched again with run.resume */
  overflowAfter: number | null;
  /** the lastIndex the latest run.resume asked from, so a gap is asked for once */
  resumedAfter: number | null;
  /** from run.started: whose run this may be */
  conversationId: string | null;
}

/**
 * Every run the client follows, by run id: events in index order, each once, across reconnects. Events ahead of a
 * gap are held while the missing ones are asked for with run.resume; events that come before their handle is bound
 * (an ack that trails them) are held for it; a run no pending request can own (another tab's) gets a handle of its
 * own; and finished runs are remembered so late repeats are dropped.
 */
export class RunFollower {
  private readonly trackers = new Map<string, RunTracker>();
  /** finished run ids, oldest first */
  private readonly finished = new Set<string>();

  constructor(
    private readonly host: RunFollowerHost,
    private readonly maxEarlyEvents = 10_000,
    private readonly maxFinishedRuns = 1000,
  ) {}

  /** The handle still following a run, if any. */
  liveHandle(runId: string): RunHandle | null {
    return this.trackers.get(runId)?.handles.find((h) => !h.finished) ?? null;
  }

  /** Follows a run from the event after `afterIndex` (run.resume); `seed` is its state at afterIndex. */
  follow(runId: string, handle: RunHandle, afterIndex: number, seed?: RunState): void {
    this.finished.delete(runId);
    const tracker = this.trackers.get(runId) ?? this.track(runId, afterIndex);
    const held = tracker.early.splice(0).filter((e) => e.index > afterIndex);
    if (tracker.overflowAfter !== null) {
      tracker.lastIndex = tracker.overflowAfter;
      tracker.overflowAfter = null;
      tracker.ahead.clear();
    }
    tracker.lastIndex = Math.max(tracker.lastIndex, afterIndex);
    this.bind(tracker, handle, seed ?? { ...createRunState({ runId }), lastIndex: afterIndex });
    for (const event of held) handle.push(event);
    if (!handle.finished) this.requestResume(tracker);
    else {
      // the end was among the events held: nothing to ask for, and later repeats are dropped
      this.trackers.delete(runId);
      this.remember(runId);
    }
  }

  /** A message.accepted names the run a send started: its handle gets what arrived before the ack. */
  acknowledged(frame: ServerFrameOf<"message.accepted">, handle: RunHandle): void {
    handle.acknowledge(frame);
    const runId = frame.runId;
    if (runId === null) {
      const message =
        "The server already had this message and its run ended while the connection was down; reload the conversation's history to see the answer.";
      handle.fail(new AlmaClientError({ code: "run_unavailable", message }));
      return;
    }
    const tracker = this.trackers.get(runId);
    if (!tracker) {
      // the run ended and was forgotten (another handle followed it to its end): fetch it again from the start
      const fresh = this.track(runId, -1);
      this.bind(fresh, handle, createRunState({ runId }));
      if (this.finished.delete(runId)) this.requestResume(fresh);
      return;
    }
    const other = tracker.handles[0];
    if (other) {
      // already followed (a resume, or a run taken for another tab's): this handle starts where that one did
      this.bind(tracker, handle, other.seed ?? createRunState({ runId }));
      for (const event of other.events) handle.push(event);
      return;
    }
    this.attach(tracker, handle, createRunState({ runId }));
  }

  onEvent(event: RunEvent, received: ReceivedFrame): void {
    if (this.finished.has(event.runId)) return;
    const tracker = this.trackers.get(event.runId) ?? this.track(event.runId, -1);
    if (event.type === "run.started") tracker.conversationId ??= event.conversationId;
    if (event.index <= tracker.lastIndex) return;
    if (event.index > tracker.lastIndex + 1) {
      const followed = tracker.handles.length > 0;
      if (followed || tracker.ahead.size < this.maxEarlyEvents) tracker.ahead.set(event.index, received);
      // ask for the missing events once per gap; repeats that come back are dropped above
      if (followed && tracker.resumedAfter !== tracker.lastIndex) this.requestResume(tracker);
      if (!followed) this.adoptIfOrphan(tracker);
      return;
    }
    let next: ReceivedFrame | undefined = received;
    while (next) {
      const nextEvent = next.frame as RunEvent;
      tracker.ahead.delete(nextEvent.index);
      tracker.lastIndex = nextEvent.index;
      this.deliver(tracker, nextEvent, next);
      if (this.trackers.get(tracker.runId) !== tracker) return;
      next = tracker.ahead.get(tracker.lastIndex + 1);
    }
  }

  /** Gives a handle of its own to every held run no pending request can own any more (another tab's run). */
  adoptOrphans(): void {
    for (const tracker of [...this.trackers.values()]) if (tracker.handles.length === 0) this.adoptIfOrphan(tracker);
  }

  /** After a reconnect: every followed run resumes from the last index it has. */
  resumeAll(): void {
    for (const tracker of this.trackers.values()) this.requestResume(tracker);
  }

  /** The server dropped events of a run for a slow connection (null: of any run): catch up from what each has. */
  fellBehind(runId: string | null): void {
    if (runId === null) this.resumeAll();
    else {
      const tracker = this.trackers.get(runId);
      if (tracker) this.requestResume(tracker);
    }
  }

  /** The server refused to replay a run (it ended, or its replay buffer moved on): its handles fail with the reason. */
  refused(runId: string, error: AlmaClientError): void {
    const tracker = this.trackers.get(runId);
    if (!tracker) return;
    this.trackers.delete(runId);
    for (const handle of tracker.handles) handle.fail(error);
  }

  failAll(error: AlmaClientError): void {
    for (const tracker of this.trackers.values()) for (const handle of tracker.handles) handle.fail(error);
    this.trackers.clear();
  }

  private track(runId: string, lastIndex: number): RunTracker {
    const tracker: RunTracker = { runId, lastIndex, ahead: new Map(), handles: [], early: [], overflowAfter: null, resumedAfter: null, conversationId: null };
    this.trackers.set(runId, tracker);
    return tracker;
  }

  private bind(tracker: RunTracker, handle: RunHandle, seed: RunState): void {
    handle.bind(tracker.runId, seed);
    tracker.handles.push(handle);
    this.host.announce(handle);
  }

  /** Binds the first handle of a held run, handing it every event held so far. */
  private attach(tracker: RunTracker, handle: RunHandle, seed: RunState): void {
    this.bind(tracker, handle, seed);
    for (const event of tracker.early.splice(0)) handle.push(event);
    if (tracker.overflowAfter !== null) {
      // events past the cap were not held: fetch them again, whether or not the run has ended meanwhile
      tracker.lastIndex = tracker.overflowAfter;
      tracker.overflowAfter = null;
      tracker.ahead.clear();
      this.finished.delete(tracker.runId);
      this.requestResume(tracker);
    } else if (handle.finished || this.finished.has(tracker.runId)) {
      this.trackers.delete(tracker.runId);
    } else if (tracker.ahead.size > 0 && !tracker.ahead.has(tracker.lastIndex + 1)) {
      this.requestResume(tracker);
    }
  }

  private adoptIfOrphan(tracker: RunTracker): void {
    if (tracker.handles.length > 0 || this.host.mayOwn(tracker.conversationId)) return;
    this.attach(tracker, this.host.createHandle(), createRunState({ runId: tracker.runId }));
  }

  private deliver(tracker: RunTracker, event: RunEvent, received: ReceivedFrame): void {
    this.host.resumeAnswered(event.runId);
    if (tracker.handles.length === 0 && event.type === "run.started") {
      const claimed = this.host.claimStarted(event.conversationId);
      if (claimed) {
        this.attach(tracker, claimed, createRunState({ runId: event.runId }));
        // a run held for that request may be another tab's after all
        this.adoptOrphans();
      } else this.adoptIfOrphan(tracker);
    }
    if (tracker.handles.length > 0) for (const handle of tracker.handles) handle.push(event);
    else if (tracker.overflowAfter === null) {
      if (tracker.early.length < this.maxEarlyEvents) tracker.early.push(event);
      // past the cap nothing more is held: attach resumes from here, so the handle still gets every event
      else tracker.overflowAfter = event.index - 1;
    }
    this.host.emitFrame(received);
    if (isTerminalRunEvent(event)) {
      // a run that ended before its ack stays held while a send awaits one, so the ack still finds its events
      if (tracker.handles.length > 0) this.trackers.delete(event.runId);
      this.remember(event.runId);
    }
  }

  private remember(runId: string): void {
    this.finished.add(runId);
    if (this.finished.size <= this.maxFinishedRuns) return;
    const oldest = this.finished.values().next().value;
    if (oldest === undefined) return;
    this.finished.delete(oldest);
    if (this.trackers.get(oldest)?.handles.length === 0) this.trackers.delete(oldest);
  }

  /** Asks the server to replay a followed run after the last index the client has. */
  private requestResume(tracker: RunTracker): void {
    if (!tracker.handles.some((h) => !h.finished)) return;
    tracker.resumedAfter = tracker.lastIndex;
    this.host.resume(tracker.runId, tracker.lastIndex);
  }
}
