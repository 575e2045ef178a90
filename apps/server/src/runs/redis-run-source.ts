import type { RedisLiveRuns } from "@alma/live-runs";
import type { RunState } from "@alma/protocol";
import { LocalRunSource } from "./local-run-source.js";
import { RemoteRunWatch } from "./remote-run-watch.js";
import type { RunHub } from "./run-hub.js";
import type { RunSource, StopResult, WatchResult } from "./run-source.js";
import type { RunSubscriber } from "./run-subscriber.js";

/**
 * Runs on any instance: this server's own runs are served locally (their replay buffer, as without Redis); a run
 * another instance is running is read from its Redis Stream: its latest state for a late joiner, then every event
 * after the viewer's index.
 */
export class RedisRunSource implements RunSource {
  private readonly local: LocalRunSource;
  private readonly watches = new Map<RunSubscriber, Map<string, RemoteRunWatch>>();

  constructor(
    private readonly hub: RunHub,
    private readonly live: RedisLiveRuns,
    private readonly onError: (err: Error, runId: string) => void,
  ) {
    this.local = new LocalRunSource(hub);
  }

  async liveState(runId: string): Promise<RunState | null> {
    if (this.hub.get(runId)) return this.local.liveState(runId);
    const state = await this.live.stream.readLatestState(runId);
    return state?.status === "streaming" ? state : null;
  }

  async watch(sub: RunSubscriber, runId: string, afterIndex: number): Promise<WatchResult> {
    this.unwatch(sub, runId);
    if (this.hub.get(runId)) return this.local.watch(sub, runId, afterIndex);
    const { redis, keys } = this.live;
    if ((await redis.exists(keys.runEvents(runId), keys.runOwner(runId))) === 0) return { ok: false, reason: "ended", oldestIndex: 0 };
    // a second watch started while the existence was read replaces this one
    this.unwatch(sub, runId);
    const watch = new RemoteRunWatch({
      runId,
      sub,
      afterIndex,
      follow: (id, after, onEvent, signal) => this.live.stream.follow(id, after, onEvent, signal),
      onFailed: (err) => this.onError(err, runId),
      onDone: () => {
        this.live.viewers.left(runId).catch((err: Error) => this.onError(err, runId));
        const mine = this.watches.get(sub);
        if (mine?.get(runId) !== watch) return;
        mine.delete(runId);
        if (mine.size === 0) this.watches.delete(sub);
      },
    });
    let mine = this.watches.get(sub);
    if (!mine) {
      mine = new Map();
      this.watches.set(sub, mine);
    }
    mine.set(runId, watch);
    // the owner keeps the run going for this viewer even once its own sockets left (left() again in onDone)
    this.live.viewers.watching(runId).catch((err: Error) => this.onError(err, runId));
    watch.start();
    return { ok: true };
  }

  isWatching(sub: RunSubscriber, runId: string): boolean {
    return this.local.isWatching(sub, runId) || (this.watches.get(sub)?.has(runId) ?? false);
  }

  async stop(runId: string): Promise<StopResult> {
    if (this.hub.get(runId)) return this.local.stop(runId);
    // its owner key outlives the run by the resume grace: a run whose end is written is not running
    const state = await this.live.stream.readLatestState(runId);
    if (state && state.status !== "streaming") return "not_running";
    const result = await this.live.requestStop(runId, "user");
    if (result.delivered) return "stopped";
    return result.owner === null ? "not_running" : "owner_gone";
  }

  detach(sub: RunSubscriber): void {
    this.local.detach(sub);
    const mine = this.watches.get(sub);
    this.watches.delete(sub);
    for (const watch of mine?.values() ?? []) watch.close();
  }

  async close(): Promise<void> {
    for (const sub of [...this.watches.keys()]) this.detach(sub);
  }

  private unwatch(sub: RunSubscriber, runId: string): void {
    const mine = this.watches.get(sub);
    const watch = mine?.get(runId);
    if (!watch) return;
    mine!.delete(runId);
    watch.close();
  }
}
