import type { AppMetrics } from "../metrics/app-metrics.js";
import type { ClientConnection } from "./client-connection.js";
import type { ClientRegistry } from "./client-registry.js";

/**
 * The `metrics.server` feed: once a second, broadcast to the clients that subscribed, while any has. The
 * first subscriber gets a snapshot at once; the timer runs only while someone listens.
 */
export class MetricsFeed {
  private readonly subscribers = new Set<ClientConnection>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: { metrics: AppMetrics; clients: ClientRegistry; intervalMs?: number }) {}

  /** a `metrics.subscribe` frame, or (enabled false) a socket that closed */
  setSubscribed(client: ClientConnection, enabled: boolean): void {
    if (enabled) this.subscribers.add(client);
    else this.subscribers.delete(client);
    if (this.subscribers.size > 0 && !this.timer) {
      this.timer = setInterval(() => this.o.clients.broadcast(this.o.metrics.snapshot(), (c) => this.subscribers.has(c)), this.o.intervalMs ?? 1000);
      this.timer.unref();
      client.send(this.o.metrics.snapshot());
    } else if (this.subscribers.size === 0) {
      this.close();
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
