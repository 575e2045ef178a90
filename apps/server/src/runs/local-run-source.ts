import type { RunState } from "@alma/protocol";
import type { RunHub } from "./run-hub.js";
import type { RunSource, StopResult, WatchResult } from "./run-source.js";
import type { RunSubscriber } from "./run-subscriber.js";

/** The runs of this process (one server, no Redis): each is served from its LiveRun's replay buffer. */
export class LocalRunSource implements RunSource {
  constructor(private readonly hub: RunHub) {}

  async liveState(runId: string): Promise<RunState | null> {
    const run = this.hub.get(runId);
    return run && !run.isEnded ? run.state : null;
  }

  async watch(sub: RunSubscriber, runId: string, afterIndex: number): Promise<WatchResult> {
    const run = this.hub.get(runId);
    if (!run) return { ok: false, reason: "ended", oldestIndex: 0 };
    return run.subscribe(sub, afterIndex);
  }

  isWatching(sub: RunSubscriber, runId: string): boolean {
    return this.hub.get(runId)?.isSubscribed(sub) ?? false;
  }

  async stop(runId: string): Promise<StopResult> {
    const run = this.hub.get(runId);
    if (!run || run.isEnded) return "not_running";
    run.stop("user");
    return "stopped";
  }

  detach(sub: RunSubscriber): void {
    this.hub.detach(sub);
  }

  async close(): Promise<void> {}
}
