"use client";
import * as React from "react";
import type { AlmaClient } from "@alma/client";
import { serverPoints, type ServerPoint } from "@/lib/metrics-series";
import {
  formatClock,
  formatCount,
  formatDuration,
  formatMegabytes,
  formatPercentValue,
  formatSecondsAgo,
  formatShare,
  valueTicks,
  formatAxisNumber,
} from "@/lib/metrics-format";
import { MetricChart, type AxisSpec } from "./metric-chart";
import { MetricFigure } from "./metric-figure";
import { useThrottled } from "./use-live-clock";
import { useServerMetrics } from "./use-server-metrics";

/** seconds before now, in round steps (5 s, 10 s, 30 s…) back to the oldest sample */
function timeAxis(points: ServerPoint[]): AxisSpec {
  const back = valueTicks(Math.max(10, -(points[0]?.t ?? 0)), true)
    .map((v) => -v)
    .reverse();
  return { key: "t", label: "seconds before now", format: formatSecondsAgo, integer: true, domain: [back[0]!, 0], ticks: back };
}

const CHART_REDRAW_MS = 3000;

const one = (v: number) => v.toLocaleString("en-US", { maximumFractionDigits: 1 });

/** The server's resources and load over the time the panel has been open (subscribed while it is), one measure per chart. */
export const ServerCharts = React.memo(ServerChartsOf);

function ServerChartsOf({ client, connected }: { client: AlmaClient | null; connected: boolean }) {
  const samples = useServerMetrics(client, connected);
  const last = samples.at(-1);
  // the figures follow every sample; the charts, over minutes, redraw every few seconds (eight charts a second would cost the page)
  const charted = useThrottled(samples, CHART_REDRAW_MS);
  const points = React.useMemo(() => serverPoints(charted), [charted]);
  return (
    <section className="space-y-3 border-t p-3" aria-labelledby="server-metrics">
      <h3 id="server-metrics" className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">
        Server (live)
      </h3>
      {!last ? (
        <p className="text-sm text-muted-foreground" data-testid="server-metrics-waiting">
          {connected
            ? "Waiting for the server's first sample… Memory, CPU, event-loop lag, active runs and sockets appear here, one sample a second, while the panel is open."
            : "Not connected."}
        </p>
      ) : (
        <>
          <div className="grid grid-cols-2 gap-2" data-testid="server-figures" data-samples={samples.length}>
            <MetricFigure id="active-runs" label="Active runs" value={formatCount(last.activeRuns)} help="Runs streaming on the server right now." />
            <MetricFigure id="connections" label="Connections" value={String(last.connections)} help="Open WebSocket connections (sockets) to the server." />
            <MetricFigure id="runs-per-minute" label="Runs/min" value={one(last.runsPerMinute)} help="Runs started in the last minute." />
            <MetricFigure
              id="cache-hit-rate"
              label="Cache hit rate"
              value={formatShare(last.cacheHitRate)}
              help="Share of the server's recent runs answered from the response cache."
            />
            <MetricFigure id="rss" label="Memory (RSS)" value={formatMegabytes(last.rssBytes / 1048576)} help="Resident memory of the server process." />
            <MetricFigure id="heap" label="Heap used" value={formatMegabytes(last.heapUsedBytes / 1048576)} help="JavaScript heap in use on the server." />
            <MetricFigure
              id="cpu"
              label="CPU"
              value={formatPercentValue(last.cpuPercent)}
              help="Server process CPU use over the last interval (100% is one core)."
            />
            <MetricFigure
              id="lag"
              label="Event-loop lag"
              value={formatDuration(last.eventLoopLagMs)}
              help="How late the server's event loop runs timers: high values mean it is overloaded."
            />
            <MetricFigure
              id="server-ttft"
              label="Server first token p50 / p95"
              value={`${formatDuration(last.ttftMs.p50)} / ${formatDuration(last.ttftMs.p95)}`}
              help="Time to first token over the server's recent runs, every conversation."
              wide
            />
          </div>
          {points.length < 2 ? (
            <p className="text-xs text-muted-foreground" data-testid="server-charts-empty">
              First sample at {formatClock(last.at)}. Charts over time start within a few seconds (a sample a second, the charts redrawn every 3 s).
            </p>
          ) : (
            <ServerChartGrid points={points} />
          )}
        </>
      )}
    </section>
  );
}

/** The eight charts, drawn again only when their points change. */
const ServerChartGrid = React.memo(function ServerChartGrid({ points }: { points: ServerPoint[] }) {
  const x = timeAxis(points);
  const at = (t: unknown, p: Record<string, unknown> | undefined) => (p && typeof p.at === "number" ? formatClock(p.at) : formatSecondsAgo(Number(t)));
  const chart = (name: string, title: string, key: keyof ServerPoint, y: string, tooltip: (v: number) => string, integer = false, color?: string) => (
    <MetricChart
      key={name}
      name={name}
      title={title}
      data={points as unknown as Record<string, unknown>[]}
      x={x}
      y={{
        key,
        label: y,
        series: title,
        format: formatAxisNumber,
        tooltip,
        integer,
        ...(key === "cacheHitPercent" ? { domain: [0, 100] as [number, number] } : {}),
      }}
      color={color}
      pointLabel={at}
      dots={false}
    />
  );
  return (
    <div className="space-y-3" data-testid="server-charts">
      {chart("rss", "Memory (RSS)", "rssMb", "MB", formatMegabytes)}
      {chart("heap", "Heap used", "heapMb", "MB", formatMegabytes, false, "var(--success)")}
      {chart("cpu", "CPU", "cpuPercent", "%", formatPercentValue, false, "var(--warning)")}
      {chart("lag", "Event-loop lag", "eventLoopLagMs", "ms", formatDuration, false, "var(--destructive)")}
      {chart("active-runs", "Active runs", "activeRuns", "runs", formatCount, true)}
      {chart("connections", "Sockets", "connections", "sockets", formatCount, true, "var(--success)")}
      {chart("runs-per-minute", "Runs per minute", "runsPerMinute", "runs/min", one)}
      {chart("cache-hit-rate", "Cache hit rate", "cacheHitPercent", "%", formatPercentValue, false, "var(--success)")}
    </div>
  );
});
