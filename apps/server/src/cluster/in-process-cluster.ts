import type { ConversationStore } from "@alma/store";
import { LocalRateLimiter, type RateLimiter } from "../limits/rate-limiter.js";
import { LocalRunSource } from "../runs/local-run-source.js";
import { RunHub, type RunHubOptions } from "../runs/run-hub.js";
import type { Cluster } from "./cluster.js";

/** One server on its own (no ALMA_REDIS_URL): runs, limits and changes stay in this process, as they always did. */
export class InProcessCluster implements Cluster {
  readonly kind = "in-process" as const;
  readonly hub: RunHub;
  readonly runs: LocalRunSource;
  readonly publish = null;
  readonly health = null;
  readonly httpRateLimitRedis = null;
  readonly answerCache = null;
  readonly conversationLocks = null;

  constructor(
    readonly instanceId: string,
    hubOptions: RunHubOptions,
    private readonly store: Pick<ConversationStore, "markStreamingInterrupted">,
    private readonly now: () => number,
  ) {
    this.hub = new RunHub(hubOptions);
    this.runs = new LocalRunSource(this.hub);
  }

  async onChange(): Promise<void> {}

  rateLimiter(_name: string, limit: number, windowMs: number): RateLimiter {
    return new LocalRateLimiter(limit, windowMs, this.now);
  }

  /** every answer left streaming was this server's: none is running yet */
  recoverInterrupted(): Promise<number> {
    return this.store.markStreamingInterrupted();
  }

  async close(): Promise<void> {}
}
