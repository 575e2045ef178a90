import type { RequestTelemetry, RunMeterMarks } from "@alma/agent";
import { combinedDecodeRate, decodeRateBetween, type ContextStats, type RequestMetrics, type RunMetrics, type StepMetrics, type Usage } from "@alma/protocol";

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
  private readonly requests: RequestMetrics[] = [];

  private readonly now: () => number;
  /** `now`'s reading of receivedAt, on the `now` clock's scale */
  private readonly origin: number;

  constructor(
    readonly receivedAt: number,
    now: () => number,
    clock: () => number = now === Date.now ? monotonicMs : now,
    /** told of each model request as it ends (the server's GenAI metrics) */
    private readonly onRequest?: (metrics: RequestMetrics, telemetry: RequestTelemetry) => void,
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
    const own = this.requests.filter((r) => r.role === "step" && r.stepId === step.stepId);
    this.steps.push({ ...step, tokensPerSecond: combinedDecodeRate(own) });
  }

  /** one model request of the run ended (the agent reports each, hidden ones included) */
  request(metrics: RequestMetrics, telemetry?: RequestTelemetry): void {
    this.requests.push(metrics);
    if (telemetry) this.onRequest?.(metrics, telemetry);
  }

  /** the offset of a wall-clock (`now`) time from receivedAt */
  offset(at: number): number {
    return Math.max(0, at - this.receivedAt);
  }

  private since(at: number): number {
    return roundMs(Math.max(0, at - this.origin));
  }

  finish(args: { usage: Usage | null; cacheHit: boolean; provider: string; model: string }): RunMetrics {
    const end = this.now();
    const completionTokens = args.usage?.completionTokens ?? this.tokenCount;
    const off = (t: number | null) => (t === null ? null : this.since(t));
    // the model's decode rate: each request's tokens after its first over the time it generated them, so
    // parallel steps and hidden planning neither inflate nor dilute it
    let tokensPerSecond = combinedDecodeRate(this.requests);
    if (this.requests.length === 0 && this.firstTokenAt !== null && this.lastTokenAt !== null && this.lastTokenAt > this.firstTokenAt && completionTokens > 1) {
      tokensPerSecond = decodeRateBetween(completionTokens, this.firstTokenAt, this.lastTokenAt);
    }
    const hidden = (role: RequestMetrics["role"]) => this.requests.filter((r) => r.role === role).reduce((n, r) => n + r.completionTokens, 0);
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
      requests: this.requests,
      planningTokens: hidden("plan"),
      classificationTokens: hidden("classify"),
      context: this.context,
    };
  }
}
