"use client";
import * as React from "react";
import type { UiMessage } from "@/lib/ui-message";
import { cacheHitShare, latencySpread, ratesByModel, runPoints, sameMeasuredAnswers, type RunPoint, type Spread } from "@/lib/metrics-series";
import { formatAxisNumber, formatClock, formatCount, formatDuration, formatShare, formatTokenRate, formatTokens } from "@/lib/metrics-format";
import { MetricChart } from "./metric-chart";
import { MetricFigure } from "./metric-figure";

const WINDOWS = [10, 20, 50] as const;

/** Milliseconds shown in one unit for a whole chart: seconds when the largest value reaches 2 s. */
function msScale(values: (number | null)[]): { div: number; unit: string; format: (v: number) => string } {
  const max = Math.max(0, ...values.filter((v): v is number => v !== null));
  return max >= 2000 ? { div: 1000, unit: "s", format: formatAxisNumber } : { div: 1, unit: "ms", format: formatAxisNumber };
}

const answerLabel = (points: RunPoint[]) => (n: unknown) => {
  const p = points.find((q) => q.n === n);
  return p ? `Answer ${p.n} · ${formatClock(p.at)} · ${p.model}${p.cacheHit ? " (cache)" : ""}` : String(n);
};

function spreadText(s: Spread): string {
  return s.count === 0 ? "–" : `${formatDuration(s.p50)} / ${formatDuration(s.p95)}`;
}

function LatencyChart({
  name,
  title,
  points,
  pick,
  spread,
}: {
  name: string;
  title: string;
  points: RunPoint[];
  pick: (p: RunPoint) => number | null;
  spread: Spread;
}) {
  const scale = msScale(points.map(pick));
  const data = points.map((p) => {
    const v = pick(p);
    return { n: p.n, value: v === null ? null : v / scale.div };
  });
  const reference = [
    ...(spread.p50 !== null ? [{ value: spread.p50 / scale.div, label: `p50 ${formatDuration(spread.p50)}` }] : []),
    ...(spread.p95 !== null ? [{ value: spread.p95 / scale.div, label: `p95 ${formatDuration(spread.p95)}` }] : []),
  ];
  return (
    <MetricChart
      name={name}
      title={title}
      data={data}
      x={{ key: "n", label: "answer #", format: (v) => `#${v}`, integer: true }}
      y={{ key: "value", label: `time (${scale.unit})`, series: title, format: scale.format, tooltip: (v) => formatDuration(v * scale.div) }}
      reference={reference}
      pointLabel={answerLabel(points)}
    />
  );
}

/**
 * Charts over the conversation's last N measured answers: latency p50/p95, each model's decode rate, tokens in and
 * out. Drawn again only when an answer's metrics change, not for every streamed token.
 */
export const ConversationCharts = React.memo(ConversationChartsOf, (a, b) => sameMeasuredAnswers(a.messages, b.messages));

function ConversationChartsOf({ messages }: { messages: UiMessage[] }) {
  const [lastN, setLastN] = React.useState<number>(20);
  const all = runPoints(messages);
  const points = all.slice(-lastN);
  const spread = latencySpread(points);
  const rates = ratesByModel(points);
  const cache = cacheHitShare(points);
  return (
    <section className="space-y-3 border-t p-3" aria-labelledby="conversation-metrics" data-testid="conversation-metrics" data-runs={points.length}>
      <div className="flex items-center justify-between gap-2">
        <h3 id="conversation-metrics" className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">
          Conversation
        </h3>
        {all.length > 1 && (
          <select
            aria-label="Answers to chart"
            data-testid="runs-window"
            className="h-7 rounded border bg-background px-1 text-xs"
            value={lastN}
            onChange={(e) => setLastN(Number(e.target.value))}
          >
            {WINDOWS.map((n) => (
              <option key={n} value={n}>
                last {n} answers
              </option>
            ))}
          </select>
        )}
      </div>
      {points.length === 0 ? (
        <p className="text-sm text-muted-foreground" data-testid="conversation-charts-empty" data-state="empty">
          No measured answer yet. Once one completes, this shows time to first token and total time (p50 and p95), each model's decode rate, and tokens in and
          out per answer.
        </p>
      ) : (
        <>
          <div className="grid grid-cols-2 gap-2">
            <MetricFigure
              id="ttft-spread"
              label="First token p50 / p95"
              value={spreadText(spread.ttft)}
              help={`Time to first token over the last ${points.length} answers: half were faster than p50, 95% faster than p95.`}
            />
            <MetricFigure
              id="total-spread"
              label="Total p50 / p95"
              value={spreadText(spread.total)}
              help={`Total time over the last ${points.length} answers: half were faster than p50, 95% faster than p95.`}
            />
            <MetricFigure
              id="conversation-cache"
              label="Cache hits"
              value={`${formatShare(cache)} (${formatCount(points.filter((p) => p.cacheHit).length)} of ${formatCount(points.length)})`}
              help="Answers of this conversation replayed from the response cache instead of asking the model."
              wide
            />
          </div>
          {points.length === 1 ? (
            <p className="text-xs text-muted-foreground" data-testid="conversation-charts-empty" data-state="one">
              One answer so far: its timeline and figures are above. Charts over answers, with p50 and p95 lines, appear from the second answer.
            </p>
          ) : (
            <div className="space-y-3" data-testid="conversation-charts">
              <LatencyChart name="ttft" title="Time to first token" points={points} pick={(p) => p.ttftMs} spread={spread.ttft} />
              <LatencyChart name="total" title="Total time" points={points} pick={(p) => p.totalMs} spread={spread.total} />
              <MetricChart
                name="decode-rate"
                title="Decode rate per model"
                kind="bar"
                data={rates.map((r) => ({ model: r.model, rate: r.tokensPerSecond, runs: r.runs }))}
                x={{ key: "model", label: "model", type: "category", format: String }}
                y={{ key: "rate", label: "tok/s", series: "decode rate", format: formatAxisNumber, tooltip: formatTokenRate }}
                pointLabel={(model) => {
                  const r = rates.find((q) => q.model === model);
                  return r ? `${r.model}: ${formatTokenRate(r.tokensPerSecond)} over ${r.requests} requests in ${r.runs} answers` : String(model);
                }}
              />
              <MetricChart
                name="prompt-tokens"
                title="Tokens in (prompt)"
                kind="bar"
                data={points.map((p) => ({ n: p.n, tokens: p.promptTokens }))}
                x={{ key: "n", label: "answer #", format: (v) => `#${v}`, integer: true, type: "category" }}
                y={{ key: "tokens", label: "tokens", series: "prompt tokens", format: formatCount, tooltip: formatTokens, integer: true }}
                pointLabel={answerLabel(points)}
              />
              <MetricChart
                name="completion-tokens"
                title="Tokens out (completion)"
                kind="bar"
                color="var(--success)"
                data={points.map((p) => ({ n: p.n, tokens: p.completionTokens }))}
                x={{ key: "n", label: "answer #", format: (v) => `#${v}`, integer: true, type: "category" }}
                y={{ key: "tokens", label: "tokens", series: "completion tokens", format: formatCount, tooltip: formatTokens, integer: true }}
                pointLabel={answerLabel(points)}
              />
            </div>
          )}
        </>
      )}
    </section>
  );
}
