import { randomUUID } from "node:crypto";
import type { StepRecord } from "@alma/protocol";
import type { RunRelay } from "./run-relay.js";
import type { RunSubscriber } from "./run-subscriber.js";
import { LiveRun } from "./live-run.js";
import { ConversationFollowers } from "./conversation-followers.js";

export interface RunHubOptions {
  replayBufferEvents: number;
  replayBufferBytes: number;
  graceMs: number;
  now: () => number;
  /** with Redis: runs are claimed and their events written to their streams; null/absent in-process */
  relay?: RunRelay | null;
}

/**
 * Owns the live runs (lookup by run, conversation and user message) and who follows which conversation,
 * and detaches a closed socket from both.
 */
export class RunHub {
  private readonly runs = new Map<string, LiveRun>();
  private readonly followers = new ConversationFollowers();
  private readonly settled = new Set<() => void>();

  constructor(private readonly options: RunHubOptions) {}

  create(init: {
    id?: string;
    conversationId: string;
    userMessageId: string;
    assistantMessageId: string;
    ownerConnectionId: string;
    seed?: { text: string; steps: StepRecord[] | null };
  }): LiveRun {
    const run = new LiveRun({
      ...init,
      id: init.id ?? randomUUID(),
      replayBufferEvents: this.options.replayBufferEvents,
      replayBufferBytes: this.options.replayBufferBytes,
      graceMs: this.options.graceMs,
      now: this.options.now,
      relay: this.options.relay ?? null,
      onAbandoned: (r) => this.abandoned(r),
    });
    this.runs.set(run.id, run);
    return run;
  }

  /**
   * The run's last viewer here left a grace period ago. With Redis a viewer on another instance may still read it
   * (a reload that landed there): then it goes on for another grace period. A Redis that does not answer keeps it
   * going too; its deadline still ends it.
   */
  private abandoned(run: LiveRun): void {
    const relay = this.options.relay;
    if (!relay) {
      run.stop("abandoned");
      return;
    }
    relay.hasRemoteViewers(run.id).then(
      (watched) => (watched ? run.keepForGrace() : run.stopIfUnwatched()),
      () => run.keepForGrace(),
    );
  }

  /** before a run's message is acknowledged: with Redis, other instances find the run (and its owner) from then on */
  claim(runId: string, conversationId: string): Promise<void> {
    return this.options.relay?.claim(runId, conversationId) ?? Promise.resolve();
  }

  /** called by the executor once the terminal event is out and the message stored */
  finish(run: LiveRun): void {
    run.finish(() => {
      if (this.runs.get(run.id) === run) this.runs.delete(run.id);
    });
    if (this.active === 0) for (const f of [...this.settled]) f();
  }

  get(runId: string): LiveRun | undefined {
    return this.runs.get(runId);
  }

  /** the run still producing in this conversation, if any */
  activeForConversation(conversationId: string): LiveRun | undefined {
    for (const run of this.runs.values()) if (run.conversationId === conversationId && !run.isEnded) return run;
    return undefined;
  }

  forUserMessage(userMessageId: string): LiveRun | undefined {
    for (const run of this.runs.values()) if (run.userMessageId === userMessageId && !run.isEnded) return run;
    return undefined;
  }

  /** runs not yet ended */
  get active(): number {
    let n = 0;
    for (const run of this.runs.values()) if (!run.isEnded) n++;
    return n;
  }

  /** the ids of the runs a connection started that have not ended */
  activeIdsOwnedBy(connectionId: string): string[] {
    return [...this.runs.values()].filter((run) => !run.isEnded && run.ownerConnectionId === connectionId).map((run) => run.id);
  }

  activeOwnedBy(connectionId: string): number {
    let n = 0;
    for (const run of this.runs.values()) if (!run.isEnded && run.ownerConnectionId === connectionId) n++;
    return n;
  }

  /** the client has this conversation open: it is shown the conversation's new runs (see `followersOf`) */
  follow(sub: RunSubscriber, conversationId: string): void {
    this.followers.follow(sub, conversationId);
  }

  isFollowing(sub: RunSubscriber, conversationId: string): boolean {
    return this.followers.isFollowing(sub, conversationId);
  }

  /** the clients with this conversation open */
  followersOf(conversationId: string): RunSubscriber[] {
    return this.followers.of(conversationId);
  }

  /** a socket closed: it stops watching runs and following its conversation; its runs go on for the grace period */
  detach(sub: RunSubscriber): void {
    for (const run of this.runs.values()) run.unsubscribe(sub);
    this.followers.unfollow(sub);
  }

  stopAll(cause: "shutdown"): void {
    for (const run of this.runs.values()) run.stop(cause);
  }

  /** resolves when no run is active, or after `ms` with false */
  waitIdle(ms: number): Promise<boolean> {
    if (this.active === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.settled.delete(onSettled);
        resolve(ok);
      };
      const onSettled = () => done(true);
      const timer = setTimeout(() => done(this.active === 0), ms);
      this.settled.add(onSettled);
    });
  }
}
