"use client";
import { valueTicks } from "@/lib/metrics-format";
import { Bar, CartesianGrid, ComposedChart, Line, ReferenceLine, ResponsiveContainer, Tooltip as ChartTooltip, XAxis, YAxis } from "recharts";

type DomainEnd = number | "dataMin" | "dataMax" | "auto" | ((value: number) => number);

export interface AxisSpec {
  key: string;
  /** the axis title, with its unit: "Time to first token (s)" */
  label: string;
  format: (v: number) => string;
  /** counts: whole-number ticks only */
  integer?: boolean;
  domain?: [DomainEnd, DomainEnd];
  type?: "number" | "category";
  /** the tick values, when the axis gives its own */
  ticks?: number[];
}

export interface MetricChartProps {
  /** data-testid is chart-<name> */
  name: string;
  title: string;
  data: Record<string, unknown>[];
  x: AxisSpec;
  /** one measure, one series: the chart's only line or bars */
  y: AxisSpec & { series: string; tooltip?: (v: number) => string };
  kind?: "line" | "bar";
  color?: string;
  reference?: { value: number; label: string }[];
  /** the tooltip's heading for a point */
  pointLabel?: (x: unknown, point: Record<string, unknown> | undefined) => string;
  /** a dot per point (answers); off for time series sampled every second */
  dots?: boolean;
}

const TICK = { fontSize: 10, fill: "var(--muted-foreground)" };
const AXIS_LABEL = { fontSize: 10, fill: "var(--muted-foreground)" };

/** A small chart of one measure over time or over answers, with labelled axes and units. */
export function MetricChart({ name, title, data, x, y, kind = "line", color = "var(--primary)", reference = [], pointLabel, dots = true }: MetricChartProps) {
  // ticks of our own: even steps from 0 past the largest value (and reference line), so labels never repeat or crowd
  const values = data.map((d) => d[y.key]).filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  const fixedTop = y.domain && typeof y.domain[1] === "number" ? y.domain[1] : null;
  const yTicks = valueTicks(fixedTop ?? Math.max(0, ...values, ...reference.map((r) => r.value)), y.integer ?? false);
  const yDomain: [DomainEnd, DomainEnd] = [0, yTicks.at(-1)!];
  return (
    <figure
      className="space-y-0.5"
      data-testid={`chart-${name}`}
      data-x-label={x.label}
      data-y-label={y.label}
      data-series={y.series}
      data-points={data.length}
    >
      <figcaption className="text-xs font-medium">{title}</figcaption>
      <div className="h-36">
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={data} margin={{ top: 6, right: 10, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
            <XAxis
              dataKey={x.key}
              type={x.type ?? "number"}
              domain={x.domain ?? (x.type === "category" ? undefined : ["dataMin", "dataMax"])}
              allowDecimals={!x.integer}
              ticks={x.ticks}
              tickFormatter={(v: unknown) => (typeof v === "number" ? x.format(v) : String(v))}
              tick={TICK}
              stroke="var(--muted-foreground)"
              height={34}
              interval="preserveStartEnd"
              minTickGap={12}
              label={{ value: x.label, position: "insideBottom", offset: 0, style: AXIS_LABEL }}
            />
            <YAxis
              dataKey={y.key}
              allowDecimals={!y.integer}
              domain={yDomain}
              tickFormatter={(v: number) => y.format(v)}
              tick={TICK}
              stroke="var(--muted-foreground)"
              width={58}
              ticks={yTicks}
              label={{ value: y.label, angle: -90, position: "insideLeft", offset: 10, style: { ...AXIS_LABEL, textAnchor: "middle" } }}
            />
            <ChartTooltip
              formatter={(v) => [typeof v === "number" ? (y.tooltip ?? y.format)(v) : String(v ?? "–"), y.series]}
              labelFormatter={(label, payload) =>
                pointLabel ? pointLabel(label, payload?.[0]?.payload as Record<string, unknown> | undefined) : String(label)
              }
              contentStyle={{ background: "var(--background)", border: "1px solid var(--border)", fontSize: 11 }}
            />
            {/* the first (p50) labelled under its line ("insideTop" of a line hangs below it), the next (p95) over it: close values never print on each other */}
            {reference.map((r, i) => (
              <ReferenceLine
                key={r.label}
                y={r.value}
                stroke="var(--warning)"
                strokeDasharray="4 3"
                label={{ value: r.label, position: i === 0 ? "insideTopRight" : "insideBottomRight", fontSize: 10, fill: "var(--foreground)" }}
              />
            ))}
            {kind === "bar" ? (
              <Bar dataKey={y.key} name={y.series} fill={color} isAnimationActive={false} maxBarSize={28} />
            ) : (
              <Line
                dataKey={y.key}
                name={y.series}
                stroke={color}
                strokeWidth={1.5}
                dot={dots && data.length <= 30}
                type="monotone"
                isAnimationActive={false}
                connectNulls
              />
            )}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
