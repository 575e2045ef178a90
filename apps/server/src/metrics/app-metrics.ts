import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { RequestTelemetry } from "@alma/agent";
import type { RequestMetrics, RunMetrics, ServerMetrics } from "@alma/protocol";
import { GenAiMetrics } from "../telemetry/gen-ai-metrics.js";
import { RollingWindow } from "./rolling-window.js";

export type RunOutcome = "completed" | "stopped" | "failed" | "interrupted" | "deadline";

const RECENT_RUNS = 200;

/**
 * One app instance's metrics: the Prometheus registry behind GET /metrics and the rolling figures
 * behind the `metrics.server` frame. A registry per instance keeps parallel test apps apart.
 */
export class AppMetrics {
  readonly registry = new Registry();
  private readonly runs: Counter<"outcome">;
  private readonly tokens: Counter<"kind">;
  private readonly ttft: Histogram;
  private readonly latency: Histogram;
  private readonly activeRunsGauge: Gauge;
  private readonly socketsGauge: Gauge;
  private readonly genAi: GenAiMetrics;
  private readonly ttftRecent = new RollingWindow(RECENT_RUNS);
  private readonly tpsRecent = new RollingWindow(RECENT_RUNS);
  private readonly cacheRecent = new RollingWindow(RECENT_RUNS);
  private readonly runEnds: number[] = [];
  private readonly loopDelay: IntervalHistogram;
  private activeRuns = 0;
  private sockets = 0;
  private cpuMark = { usage: process.cpuUsage(), at: performance.now() };

  constructor(private readonly now: () => number = Date.now) {
    collectDefaultMetrics({ register: this.registry, prefix: "alma_" });
    this.runs = new Counter({ name: "alma_runs_total", help: "Runs by outcome", labelNames: ["outcome"], registers: [this.registry] });
    this.tokens = new Counter({
      name: "alma_tokens_total",
      help: "Tokens by kind (prompt, completion)",
      labelNames: ["kind"],
      registers: [this.registry],
    });
    this.ttft = new Histogram({
      name: "alma_time_to_first_token_seconds",
      help: "Time from receiving a message to the first token",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: "alma_run_duration_seconds",
      help: "Time from receiving a message to the end of its run",
      buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128],
      registers: [this.registry],
    });
    this.activeRunsGauge = new Gauge({ name: "alma_active_runs", help: "Runs in progress", registers: [this.registry] });
    this.socketsGauge = new Gauge({ name: "alma_websocket_connections", help: "Open WebSocket connections", registers: [this.registry] });
    this.genAi = new GenAiMetrics(this.registry);
    for (const outcome of ["completed", "stopped", "failed", "interrupted", "deadline"] satisfies RunOutcome[]) this.runs.inc({ outcome }, 0);
    this.loopDelay = monitorEventLoopDelay({ resolution: 20 });
    this.loopDelay.enable();
  }

  runStarted(): void {
    this.activeRuns++;
    this.activeRunsGauge.set(this.activeRuns);
  }

  runEnded(outcome: RunOutcome, metrics: RunMetrics | null): void {
    this.activeRuns = Math.max(0, this.activeRuns - 1);
    this.activeRunsGauge.set(this.activeRuns);
    this.runs.inc({ outcome });
    this.runEnds.push(this.now());
    if (!metrics) return;
    this.tokens.inc({ kind: "prompt" }, metrics.promptTokens);
    this.tokens.inc({ kind: "completion" }, metrics.completionTokens);
    this.latency.observe(metrics.totalMs / 1000);
    this.cacheRecent.push(metrics.cacheHit ? 1 : 0);
    if (metrics.firstTokenMs !== null) {
      this.ttft.observe(metrics.firstTokenMs / 1000);
      this.ttftRecent.push(metrics.firstTokenMs);
    }
    if (metrics.tokensPerSecond !== null) this.tpsRecent.push(metrics.tokensPerSecond);
  }

  /** one model request of a run ended: the GenAI client metrics (Prometheus and OpenTelemetry) */
  modelRequest(request: RequestMetrics, telemetry: RequestTelemetry): void {
    this.genAi.record(request, telemetry);
  }

  socketOpened(): void {
    this.sockets++;
    this.socketsGauge.set(this.sockets);
  }

  socketClosed(): void {
    this.sockets = Math.max(0, this.sockets - 1);
    this.socketsGauge.set(this.sockets);
  }

  get connections(): number {
    return this.sockets;
  }

  get runsInProgress(): number {
    return this.activeRuns;
  }

  /** the `metrics.server` frame: figures over the last minute / the last 200 runs */
  snapshot(): ServerMetrics {
    const now = this.now();
    while (this.runEnds.length && this.runEnds[0]! < now - 60_000) this.runEnds.shift();
    const cpuNow = { usage: process.cpuUsage(), at: performance.now() };
    const cpuMicros = cpuNow.usage.user - this.cpuMark.usage.user + (cpuNow.usage.system - this.cpuMark.usage.system);
    const wallMs = Math.max(1, cpuNow.at - this.cpuMark.at);
    this.cpuMark = cpuNow;
    const lagMs = Number.isFinite(this.loopDelay.mean) ? Math.max(0, this.loopDelay.mean / 1e6 - 20) : 0;
    this.loopDelay.reset();
    const mem = process.memoryUsage();
    return {
      type: "metrics.server",
      at: now,
      activeRuns: this.activeRuns,
      connections: this.sockets,
      runsPerMinute: this.runEnds.length,
      cacheHitRate: this.cacheRecent.mean(),
      ttftMs: { p50: this.ttftRecent.percentile(50), p95: this.ttftRecent.percentile(95) },
      tokensPerSecond: { p50: this.tpsRecent.percentile(50), p95: this.tpsRecent.percentile(95) },
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      cpuPercent: Math.max(0, (cpuMicros / 1000 / wallMs) * 100),
      eventLoopLagMs: lagMs,
    };
  }

  close(): void {
    this.loopDelay.disable();
    this.registry.clear();
  }
}
