"use client";
import * as React from "react";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip as ChartTooltip, XAxis, YAxis } from "recharts";
import { X } from "lucide-react";
import type { AlmaClient } from "@alma/client";
import type { ContextStats, ServerMetrics } from "@alma/protocol";
import type { UiMessage } from "@/lib/chat-state";
import { answerFigures, type StepTiming } from "@/lib/answer-figures";
import { formatBytes, formatMs, formatPercent, formatRate } from "@/lib/format";
import { Button } from "@/components/ui/button";
import { Tooltip } from "@/components/ui/tooltip";

const MAX_SAMPLES = 180;

function Figure({ id, label, value, help }: { id: string; label: string; value: string; help: string }) {
  return (
    <Tooltip content={help}>
      <button
        type="button"
        className="w-full rounded-lg border p-2 text-left"
        data-testid={`metric-${id}`}
        data-value={value}
        aria-label={`${label}: ${value}. ${help}`}
      >
        <span className="block text-[11px] text-muted-foreground">{label}</span>
        <span className="block text-sm font-semibold tabular-nums" data-testid={`metric-${id}-value`}>
          {value}
        </span>
      </button>
    </Tooltip>
  );
}

function Waterfall({ steps }: { steps: StepTiming[] }) {
  const end = Math.max(1, ...steps.map((s) => s.endMs));
  return (
    <figure className="space-y-1" data-testid="metrics-waterfall" aria-label="Per-step timeline">
      {steps.map((s) => {
        const rate = s.tokensPerSecond === null ? "" : ` at ${formatRate(s.tokensPerSecond)}`;
        const hint = `${s.title}: starts at ${formatMs(s.startMs)}, first token at ${formatMs(s.firstTokenMs)}, ends at ${formatMs(s.endMs)}; ${s.completionTokens} tokens${rate}`;
        return (
          <Tooltip key={s.id} content={hint}>
            <button
              type="button"
              className="grid w-full grid-cols-[7rem_1fr_3.5rem] items-center gap-2 text-left text-xs"
              data-testid="waterfall-step"
              aria-label={hint}
            >
              <span className="truncate text-muted-foreground">{s.title}</span>
              <span className="relative block h-3 rounded bg-muted">
                <span
                  className="absolute inset-y-0 rounded bg-primary/70"
                  style={{ left: `${(s.startMs / end) * 100}%`, width: `${Math.max(1, ((s.endMs - s.startMs) / end) * 100)}%` }}
                />
              </span>
              <span className="text-right tabular-nums text-muted-foreground" data-testid="waterfall-step-rate">
                {formatRate(s.tokensPerSecond)}
              </span>
            </button>
          </Tooltip>
        );
      })}
    </figure>
  );
}

function useNow(active: boolean): number {
  const [now, setNow] = React.useState(() => Date.now());
  React.useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [active]);
  return active ? now : Date.now();
}

/** Server metrics, subscribed only while the panel is mounted (i.e. open). */
function useServerMetrics(client: AlmaClient | null, connected: boolean): ServerMetrics[] {
  const [samples, setSamples] = React.useState<ServerMetrics[]>([]);
  React.useEffect(() => {
    if (!client || !connected) return;
    const off = client.on("metrics.server", (m) => setSamples((xs) => [...xs.slice(-(MAX_SAMPLES - 1)), m]));
    try {
      client.subscribeMetrics(true);
    } catch {
      // not connected: the effect runs again when the connection opens
    }
    return () => {
      off();
      try {
        client.subscribeMetrics(false);
      } catch {
        // closed already
      }
    };
  }, [client, connected]);
  return samples;
}

function Chart({
  title,
  data,
  lines,
  format,
}: {
  title: string;
  data: Record<string, number | null>[];
  lines: { key: string; name: string; color: string }[];
  format: (v: number) => string;
}) {
  return (
    <figure className="space-y-1" data-testid="metrics-chart">
      <figcaption className="text-xs font-medium">{title}</figcaption>
      <div className="h-32">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -12 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
            <XAxis dataKey="t" tick={false} stroke="var(--muted-foreground)" />
            <YAxis
              tick={{ fontSize: 10, fill: "var(--muted-foreground)" }}
              stroke="var(--muted-foreground)"
              tickFormatter={(v: number) => format(v)}
              width={52}
            />
            <ChartTooltip
              formatter={(v) => (typeof v === "number" ? format(v) : String(v))}
              labelFormatter={() => ""}
              contentStyle={{ background: "var(--background)", border: "1px solid var(--border)", fontSize: 12 }}
            />
            <Legend wrapperStyle={{ fontSize: 11 }} />
            {lines.map((l) => (
              <Line key={l.key} type="monotone" dataKey={l.key} name={l.name} stroke={l.color} dot={false} isAnimationActive={false} connectNulls />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

interface Props {
  client: AlmaClient | null;
  connected: boolean;
  messages: UiMessage[];
  context: ContextStats | null;
  onClose(): void;
}

export function MetricsPanel({ client, connected, messages, context, onClose }: Props) {
  const answers = messages.filter((m) => m.role === "assistant");
  const [selectedId, setSelectedId] = React.useState<string | null>(null);
  const answer = answers.find((a) => a.id === selectedId) ?? answers.at(-1) ?? null;
  const streaming = answer?.status === "streaming";
  const now = useNow(streaming);
  const f = answer ? answerFigures(answer, now, context) : null;
  const samples = useServerMetrics(client, connected);
  const last = samples.at(-1);
  const series = samples.map((s) => ({
    t: s.at,
    ttftP50: s.ttftMs.p50,
    ttftP95: s.ttftMs.p95,
    tpsP50: s.tokensPerSecond.p50,
    tpsP95: s.tokensPerSecond.p95,
    runsPerMinute: s.runsPerMinute,
    cacheHitRate: s.cacheHitRate,
    activeRuns: s.activeRuns,
    connections: s.connections,
    rss: s.rssBytes / 1048576,
    heap: s.heapUsedBytes / 1048576,
    cpu: s.cpuPercent,
    lag: s.eventLoopLagMs,
  }));

  return (
    <aside aria-label="Metrics" data-testid="metrics-panel" className="flex h-full flex-col overflow-y-auto border-l bg-card">
      <div className="flex items-center justify-between border-b px-3 py-2">
        <h2 className="text-sm font-semibold">Metrics</h2>
        <Button size="icon-sm" variant="ghost" aria-label="Close metrics" onClick={onClose}>
          <X />
        </Button>
      </div>
      <section className="space-y-2 p-3" aria-labelledby="answer-metrics">
        <div className="flex items-center justify-between gap-2">
          <h3 id="answer-metrics" className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">
            Answer {f?.live ? <span data-testid="metrics-live">(live)</span> : null}
          </h3>
          {answers.length > 1 && (
            <select
              aria-label="Answer to show"
              className="h-7 rounded border bg-background px-1 text-xs"
              value={answer?.id ?? ""}
              onChange={(e) => setSelectedId(e.target.value)}
            >
              {answers.map((a, i) => (
                <option key={a.id} value={a.id}>
                  Answer {i + 1}
                </option>
              ))}
            </select>
          )}
        </div>
        {!f ? (
          <p className="text-sm text-muted-foreground">Send a message to see its figures.</p>
        ) : (
          <div className="grid grid-cols-2 gap-2" data-testid="answer-metrics" data-live={f.live || undefined} data-answer-id={answer?.id}>
            <Figure
              id="ttft"
              label="Time to first token"
              value={formatMs(f.ttftMs)}
              help="From the server receiving the message to the first token of the answer (while streaming: measured in this browser from the send)."
            />
            <Figure id="total" label="Total time" value={formatMs(f.totalMs)} help="From the server receiving the message to the end of the run." />
            <Figure
              id="tps"
              label="Tokens/s"
              value={formatRate(f.tokensPerSecond)}
              help="The model's decode rate: tokens after each request's first, over the time they were generated (every request of the run, hidden ones included). While streaming: the visible tokens' rate, measured in this browser."
            />
            <Figure
              id="prompt-tokens"
              label="Prompt tokens"
              value={f.promptTokens?.toString() ?? "–"}
              help="Tokens sent to the model: the request after the memory module trimmed it."
            />
            <Figure
              id="completion-tokens"
              label="Completion tokens"
              value={f.completionTokens?.toString() ?? "–"}
              help="Tokens the model produced for this run: the answer and its steps, plus the hidden planning and classification shown apart."
            />
            {!!f.planningTokens && (
              <Figure
                id="planning-tokens"
                label="Planning tokens"
                value={String(f.planningTokens)}
                help="Tokens the model wrote to plan the steps: hidden work, not part of the answer."
              />
            )}
            {!!f.classificationTokens && (
              <Figure
                id="classification-tokens"
                label="Classification tokens"
                value={String(f.classificationTokens)}
                help="Tokens the model wrote to decide the task type: hidden work, not part of the answer."
              />
            )}
            <Figure
              id="trimmed"
              label="Trimmed / summarized"
              value={`${f.trimmed ?? "–"} / ${f.summarized ?? "–"}`}
              help="Messages left out of the request to fit the window / messages folded into the running summary."
            />
            <Figure
              id="cache"
              label="Cache hit"
              value={f.cacheHit ? "yes" : "no"}
              help="Whether the answer came from the response cache instead of the model."
            />
            <Figure id="retries" label="Retries" value={String(f.retries)} help="How many times the run retried the model after a transient failure." />
          </div>
        )}
        {f && f.steps.length > 0 && <Waterfall steps={f.steps} />}
      </section>
      <section className="space-y-3 border-t p-3" aria-labelledby="server-metrics">
        <h3 id="server-metrics" className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">
          Server (live)
        </h3>
        {!last ? (
          <p className="text-sm text-muted-foreground" data-testid="server-metrics-waiting">
            {connected ? "Waiting for the server's first sample…" : "Not connected."}
          </p>
        ) : (
          <div className="grid grid-cols-2 gap-2" data-testid="server-figures">
            <Figure id="active-runs" label="Active runs" value={String(last.activeRuns)} help="Runs streaming on the server right now." />
            <Figure id="connections" label="Connections" value={String(last.connections)} help="Open WebSocket connections to the server." />
            <Figure id="runs-per-minute" label="Runs/min" value={last.runsPerMinute.toFixed(1)} help="Runs started in the last minute." />
            <Figure id="cache-hit-rate" label="Cache hit rate" value={formatPercent(last.cacheHitRate)} help="Share of recent runs answered from the cache." />
            <Figure id="rss" label="Memory (RSS)" value={formatBytes(last.rssBytes)} help="Resident memory of the server process." />
            <Figure id="heap" label="Heap used" value={formatBytes(last.heapUsedBytes)} help="JavaScript heap in use on the server." />
            <Figure id="cpu" label="CPU" value={`${last.cpuPercent.toFixed(0)}%`} help="Server process CPU use over the last interval." />
            <Figure
              id="lag"
              label="Event-loop lag"
              value={formatMs(last.eventLoopLagMs)}
              help="How late the server's event loop runs timers: high values mean it is overloaded."
            />
          </div>
        )}
        {series.length > 1 && (
          <>
            <Chart
              title="Time to first token"
              data={series}
              format={(v) => formatMs(v)}
              lines={[
                { key: "ttftP50", name: "p50", color: "var(--primary)" },
                { key: "ttftP95", name: "p95", color: "var(--warning)" },
              ]}
            />
            <Chart
              title="Tokens per second"
              data={series}
              format={(v) => v.toFixed(0)}
              lines={[
                { key: "tpsP50", name: "p50", color: "var(--primary)" },
                { key: "tpsP95", name: "p95", color: "var(--warning)" },
              ]}
            />
            <Chart
              title="Runs per minute and cache hit rate"
              data={series.map((s) => ({ ...s, cacheHitRate: s.cacheHitRate === null ? null : s.cacheHitRate * 100 }))}
              format={(v) => v.toFixed(0)}
              lines={[
                { key: "runsPerMinute", name: "runs/min", color: "var(--primary)" },
                { key: "cacheHitRate", name: "cache hit %", color: "var(--success)" },
              ]}
            />
            <Chart
              title="Active runs and connections"
              data={series}
              format={(v) => v.toFixed(0)}
              lines={[
                { key: "activeRuns", name: "runs", color: "var(--primary)" },
                { key: "connections", name: "connections", color: "var(--success)" },
              ]}
            />
            <Chart
              title="Memory (MB)"
              data={series}
              format={(v) => v.toFixed(0)}
              lines={[
                { key: "rss", name: "RSS", color: "var(--primary)" },
                { key: "heap", name: "heap", color: "var(--success)" },
              ]}
            />
            <Chart
              title="CPU % and event-loop lag (ms)"
              data={series}
              format={(v) => v.toFixed(0)}
              lines={[
                { key: "cpu", name: "CPU %", color: "var(--primary)" },
                { key: "lag", name: "lag ms", color: "var(--destructive)" },
              ]}
            />
          </>
        )}
      </section>
    </aside>
  );
}
