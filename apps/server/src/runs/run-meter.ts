import type { RunMeterMarks } from "@alma/agent";
import type { ContextStats, RunMetrics, StepMetrics, Usage } from "@alma/protocol";

/** a monotonic clock in ms with sub-millisecond resolution */
const monotonicMs = () => performance.now();

// offsets to the microsecond: enough to see sub-millisecond phases, short in JSON
const roundMs = (ms: number) => Math.round(ms * 1000) / 1000;

/**
 * Times one run: received → request built → upstream started → first token → last token.
 * `now` is the server's clock in epoch ms (receivedAt comes from it). The phases are read from `clock`, a monotonic
 * ms clock: by default `performance.now()` when `now` is the wall clock (whole milliseconds hid the sub-millisecond
 * phases), and `now` itself when it is injected (tests). Offsets are from receivedAt.
 */
export class RunMeter implements RunMeterMarks {
  private requestBuiltAt: number | null = null;
  private upstreamStartedAt: number | null = null;
  private firstTokenAt: number | null = null;
  private lastTokenAt: number | null = null;
  private tokenCount = 0;
  private retries = 0;
  private context: ContextStats | null = null;
  private readonly steps: StepMetrics[] = [];

  private readonly now: () => number;
  /** `now`'s reading of receivedAt, on the `now` clock's scale */
  private readonly origin: number;

  constructor(
    readonly receivedAt: number,
    now: () => number,
    clock: () => number = now === Date.now ? monotonicMs : now,
  ) {
    this.now = clock;
    // receivedAt is a wall-clock stamp: the time since then is carried over once, later marks are exact
    this.origin = clock === now ? receivedAt : clock() - Math.max(0, now() - receivedAt);
  }

  requestBuilt(): void {
    this.requestBuiltAt ??= this.now();
  }

  upstreamStarted(): void {
    this.upstreamStartedAt ??= this.now();
  }

  retried(): void {
    this.retries++;
  }

  token(): void {
    const t = this.now();
    this.firstTokenAt ??= t;
    this.lastTokenAt = t;
    this.tokenCount++;
  }

  setContext(stats: ContextStats): void {
    this.context = stats;
  }

  addStep(step: StepMetrics): void {
    this.steps.push(step);
  }

  /** the offset of a wall-clock (`now`) time from receivedAt */
  offset(at: number): number {
    return Math.max(0, at - this.receivedAt);
  }

  private since(at: number): number {
    return roundMs(Math.max(0, at - this.origin));
  }

  get hasTokens(): boolean {
    return this.tokenCount > 0;
  }

  finish(args: { usage: Usage | null; cacheHit: boolean; provider: string; model: string }): RunMetrics {
    const end = this.now();
    const completionTokens = args.usage?.completionTokens ?? this.tokenCount;
    const off = (t: number | null) => (t === null ? null : this.since(t));
    let tokensPerSecond: number | null = null;
    if (this.firstTokenAt !== null && this.lastTokenAt !== null && this.lastTokenAt > this.firstTokenAt && completionTokens > 1) {
      tokensPerSecond = ((completionTokens - 1) * 1000) / (this.lastTokenAt - this.firstTokenAt);
    }
    return {
      receivedAt: this.receivedAt,
      requestBuiltMs: off(this.requestBuiltAt),
      upstreamStartedMs: off(this.upstreamStartedAt),
      firstTokenMs: off(this.firstTokenAt),
      lastTokenMs: off(this.lastTokenAt),
      totalMs: this.since(end),
      tokensPerSecond,
      promptTokens: args.usage?.promptTokens ?? this.context?.promptTokens ?? 0,
      completionTokens,
      cacheHit: args.cacheHit,
      retries: this.retries,
      provider: args.provider,
      model: args.model,
      steps: this.steps,
      context: this.context,
    };
  }
}
