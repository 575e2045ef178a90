import type { Redis } from "ioredis";

type Handler = (message: string) => void;

/**
 * The instance's one subscriber connection (a subscribed connection can do nothing else), shared by the control
 * channel and conversation changes. ioredis resubscribes after a reconnect; `onReconnect` lets a user catch up
 * on what pub/sub (at most once) may have dropped meanwhile.
 */
export class PubSubHub {
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly reconnectHandlers = new Set<() => void>();
  private readonly connection: Redis;
  private everReady = false;

  /** `connectionName` tells this instance's subscriber apart in CLIENT LIST */
  constructor(redis: Redis, connectionName = "alma-pubsub") {
    this.connection = redis.duplicate({ connectionName, maxRetriesPerRequest: null });
    // a dropped connection is retried by ioredis and the subscriptions restored ("ready" below); without a listener
    // every failed attempt would be printed as an unhandled error event
    this.connection.on("error", () => {});
    this.connection.on("message", (channel: string, message: string) => {
      for (const handler of this.handlers.get(channel) ?? []) handler(message);
    });
    this.connection.on("ready", () => {
      if (this.everReady) for (const f of this.reconnectHandlers) f();
      this.everReady = true;
    });
  }

  /** resolves once Redis confirmed the subscription; returns the unsubscribe */
  async subscribe(channel: string, handler: Handler): Promise<() => Promise<void>> {
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
    }
    set.add(handler);
    if (set.size === 1) await this.connection.subscribe(channel);
    return async () => {
      const current = this.handlers.get(channel);
      if (!current?.delete(handler) || current.size > 0) return;
      this.handlers.delete(channel);
      await this.connection.unsubscribe(channel);
    };
  }

  onReconnect(handler: () => void): () => void {
    this.reconnectHandlers.add(handler);
    return () => this.reconnectHandlers.delete(handler);
  }

  close(): void {
    this.handlers.clear();
    this.connection.disconnect();
  }
}
