/**
 * A socket can stay "open" over a dead network for minutes. While started, the heartbeat pings when the server
 * has been quiet for `everyMs` and calls `dead` when it stays quiet for twice that (a pong, or any frame, is heard).
 */
export class Heartbeat {
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastHeardAt = 0;

  constructor(
    private readonly everyMs: number,
    private readonly now: () => number,
  ) {}

  /** the server sent something */
  heard(): void {
    this.lastHeardAt = this.now();
  }

  start(ping: () => void, dead: (quietMs: number) => void): void {
    this.stop();
    if (!(this.everyMs > 0)) return;
    this.heard();
    this.timer = setInterval(() => {
      const quietMs = this.now() - this.lastHeardAt;
      if (quietMs >= 2 * this.everyMs) {
        this.stop();
        dead(quietMs);
      } else if (quietMs >= this.everyMs) ping();
    }, this.everyMs);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
