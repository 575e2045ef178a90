import { applyRunEvent, createRunState, type RunEvent, type RunEventDraft, type RunState, type StepRecord } from "@alma/protocol";
import type { RunRelay } from "./run-relay.js";
import type { RunSubscriber } from "./run-subscriber.js";

const EVENT_OVERHEAD = 256;

/** a cheap size estimate: tokens dominate, and their text is the variable part */
function eventSize(event: RunEvent): number {
  return EVENT_OVERHEAD + (event.type === "run.token" ? event.text.length : 0);
}

/** Why a run was asked to stop; decides the stored status and finish reason. */
export type StopCause = "user" | "abandoned" | "shutdown" | "deadline";

export interface LiveRunInit {
  id: string;
  conversationId: string;
  userMessageId: string;
  assistantMessageId: string;
  ownerConnectionId: string;
  replayBufferEvents: number;
  /** bound on the replay buffer's size (token text counted in UTF-16 units plus a per-event overhead) */
  replayBufferBytes: number;
  /** how long the run keeps going with no subscriber before it stops itself */
  graceMs: number;
  now: () => number;
  onAbandoned: (run: LiveRun) => void;
  /** with Redis: every event also goes to the run's stream, for viewers on other instances */
  relay?: RunRelay | null;
  /** a continued run starts from the kept part of its answer */
  seed?: { text: string; steps: StepRecord[] | null };
}

export type SubscribeResult = { ok: true } | { ok: false; reason: "ended" | "too_far_behind"; oldestIndex: number };

/**
 * One run in progress: numbers and stamps its events (gap-free `index` and token `seq`), keeps a
 * bounded replay buffer, and delivers to every subscribed socket in order. A subscriber whose socket
 * is congested is skipped and caught up from the buffer later, so a slow client never makes the
 * server buffer without bound.
 */
export class LiveRun {
  readonly id: string;
  readonly conversationId: string;
  readonly userMessageId: string;
  readonly assistantMessageId: string;
  readonly ownerConnectionId: string;
  readonly controller = new AbortController();
  private readonly buffer: RunEvent[] = [];
  private bufferBytes = 0;
  private oldestIndex = 0;
  private nextIndex = 0;
  private nextSeq = 0;
  private readonly subscribers = new Map<RunSubscriber, { lastIndex: number }>();
  private graceTimer: NodeJS.Timeout | null = null;
  private pumpTimer: NodeJS.Timeout | null = null;
  private cause: StopCause | null = null;
  private ended = false;
  private readonly init: LiveRunInit;

  constructor(init: LiveRunInit) {
    this.init = init;
    this.id = init.id;
    this.conversationId = init.conversationId;
    this.userMessageId = init.userMessageId;
    this.assistantMessageId = init.assistantMessageId;
    this.ownerConnectionId = init.ownerConnectionId;
    this.folded = createRunState({ runId: init.id, text: init.seed?.text ?? "", steps: init.seed?.steps ?? null });
  }

  private folded: RunState;

  /**
   * The run as its events so far make it (the one fold, at `lastIndex`): a viewer that joins mid-run gets it,
   * then resumes after `lastIndex`, so nothing between is lost or shown twice; the executor stores what it gives.
   */
  get state(): RunState {
    return this.folded;
  }

  /** The state the run will have once `draft` is emitted: what is stored before a terminal event goes out. */
  preview(draft: RunEventDraft): RunState {
    return applyRunEvent(this.folded, this.stamp(draft, this.nextIndex, this.nextSeq));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stopCause(): StopCause | null {
    return this.cause;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** index of the newest event, -1 before the first */
  get lastIndex(): number {
    return this.nextIndex - 1;
  }

  get bufferedEvents(): number {
    return this.buffer.length;
  }

  /** Stamps and delivers an event. Tokens after a stop are dropped, so a stop takes effect within one token. */
  emit(draft: RunEventDraft): RunEvent | null {
    if (this.ended) return null;
    if (draft.type === "run.token" && this.controller.signal.aborted) return null;
    const stamped = this.stamp(draft, this.nextIndex++, draft.type === "run.token" ? this.nextSeq++ : this.nextSeq);
    this.folded = applyRunEvent(this.folded, stamped);
    this.init.relay?.append(stamped, this.folded);
    this.buffer.push(stamped);
    this.bufferBytes += eventSize(stamped);
    while (this.buffer.length > 1 && (this.buffer.length > this.init.replayBufferEvents || this.bufferBytes > this.init.replayBufferBytes)) {
      this.bufferBytes -= eventSize(this.buffer.shift()!);
      this.oldestIndex++;
    }
    for (const sub of this.subscribers.keys()) this.deliver(sub);
    return stamped;
  }

  private stamp(draft: RunEventDraft, index: number, seq: number): RunEvent {
    const stamped = { ...draft, runId: this.id, index, at: this.init.now() } as RunEvent;
    if (stamped.type === "run.token") stamped.seq = seq;
    return stamped;
  }

  /** Replays the events after `afterIndex`, then keeps the subscriber on live events. */
  subscribe(sub: RunSubscriber, afterIndex: number): SubscribeResult {
    if (this.ended && this.buffer.length === 0) return { ok: false, reason: "ended", oldestIndex: this.oldestIndex };
    const from = Math.min(afterIndex, this.lastIndex);
    if (from + 1 < this.oldestIndex) return { ok: false, reason: "too_far_behind", oldestIndex: this.oldestIndex };
    this.subscribers.set(sub, { lastIndex: from });
    this.clearGrace();
    this.deliver(sub);
    return { ok: true };
  }

  isSubscribed(sub: RunSubscriber): boolean {
    return this.subscribers.has(sub);
  }

  unsubscribe(sub: RunSubscriber): void {
    if (!this.subscribers.delete(sub)) return;
    this.keepForGrace();
  }

  /**
   * Nobody here watches: keep generating for a while so a reload or a blip can resume, then hand the run to
   * `onAbandoned` (which stops it, or calls this again when a viewer on another instance still reads it).
   */
  keepForGrace(): void {
    if (this.subscribers.size > 0 || this.ended || this.controller.signal.aborted || this.graceTimer) return;
    this.graceTimer = setTimeout(() => {
      this.graceTimer = null;
      if (this.subscribers.size === 0) this.init.onAbandoned(this);
    }, this.init.graceMs);
    this.graceTimer.unref();
  }

  /** stops the run as abandoned unless a viewer came back here meanwhile (its grace check was asynchronous) */
  stopIfUnwatched(): boolean {
    if (this.subscribers.size > 0 || this.graceTimer) return false;
    return this.stop("abandoned");
  }

  stop(cause: StopCause): boolean {
    if (this.ended || this.controller.signal.aborted) return false;
    this.cause = cause;
    this.controller.abort(new Error(`run stopped: ${cause}`));
    return true;
  }

  /**
   * The run's terminal event was emitted and its message stored: subscribers still catching up get
   * a short while to drain, then the buffer is freed.
   */
  finish(release: () => void, drainMs = 10_000): void {
    this.ended = true;
    this.clearGrace();
    const deadline = this.init.now() + drainMs;
    const done = () => {
      if (this.pumpTimer) clearInterval(this.pumpTimer);
      this.pumpTimer = null;
      this.subscribers.clear();
      this.buffer.length = 0;
      this.bufferBytes = 0;
      release();
    };
    if (this.allCaughtUp()) {
      done();
      return;
    }
    this.pumpTimer = setInterval(() => {
      for (const sub of this.subscribers.keys()) this.deliver(sub);
      if (this.allCaughtUp() || this.init.now() >= deadline) done();
    }, 25);
    this.pumpTimer.unref();
  }

  private allCaughtUp(): boolean {
    for (const state of this.subscribers.values()) if (state.lastIndex < this.lastIndex) return false;
    return true;
  }

  private deliver(sub: RunSubscriber): void {
    const state = this.subscribers.get(sub);
    if (!state) return;
    while (state.lastIndex < this.lastIndex) {
      const next = state.lastIndex + 1;
      if (next < this.oldestIndex) {
        this.subscribers.delete(sub);
        sub.overflowed(this.id, next);
        return;
      }
      if (!sub.ready()) {
        this.ensurePump();
        return;
      }
      sub.send(this.buffer[next - this.oldestIndex]!);
      state.lastIndex = next;
    }
  }

  /** While a subscriber is congested, poll so it catches up even if the run goes quiet. */
  private ensurePump(): void {
    if (this.pumpTimer || this.ended) return;
    this.pumpTimer = setInterval(() => {
      for (const sub of this.subscribers.keys()) this.deliver(sub);
      if (this.allCaughtUp() && this.pumpTimer && !this.ended) {
        clearInterval(this.pumpTimer);
        this.pumpTimer = null;
      }
    }, 25);
    this.pumpTimer.unref();
  }

  private clearGrace(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
  }
}
