import type { RunMeterMarks } from "@alma/agent";
import type { ContextStats, RunMetrics, StepMetrics, Usage } from "@alma/protocol";

/**
 * Times one run: received → request built → upstream started → first token → last token.
 * `now` is a monotonic-enough clock in ms; offsets are from receivedAt.
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

  constructor(
    readonly receivedAt: number,
    private readonly now: () => number,
  ) {}

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

  offset(at: number): number {
    return Math.max(0, at - this.receivedAt);
  }

  get hasTokens(): boolean {
    return this.tokenCount > 0;
  }

  finish(args: { usage: Usage | null; cacheHit: boolean; provider: string; model: string }): RunMetrics {
    const end = this.now();
    const completionTokens = args.usage?.completionTokens ?? this.tokenCount;
    const off = (t: number | null) => (t === null ? null : this.offset(t));
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
      totalMs: this.offset(end),
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
