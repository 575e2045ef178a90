"use client";
import * as React from "react";
import { X } from "lucide-react";
import type { AlmaClient } from "@alma/client";
import type { ContextStats } from "@alma/protocol";
import type { UiMessage } from "@/lib/chat-state";
import { answerFigures, type AnswerFigures } from "@/lib/answer-figures";
import { formatMs } from "@/lib/format";
import { formatCount, formatTokenRate } from "@/lib/metrics-format";
import type { LiveClock } from "@/lib/waterfall-clock";
import { messageWaterfall } from "@/lib/waterfall-rows";
import { Button } from "@/components/ui/button";
import { ConversationCharts } from "./conversation-charts";
import { CostBudget } from "./cost-budget";
import { MetricFigure } from "./metric-figure";
import { RunWaterfall } from "./run-waterfall";
import { ServerCharts } from "./server-charts";
import { useLiveClock, useNow, useThrottled } from "./use-live-clock";
import { usePriceTable } from "./use-price-table";

/** The tokens/s figure says whose rate it is: the model's across its requests, one live stream's, or none. */
function rateFigure(f: AnswerFigures): { label: string; value: string; help: string } {
  switch (f.rateKind) {
    case "model": {
      const across = f.rateRequests === null ? "its requests" : `its ${f.rateRequests} ${f.rateRequests === 1 ? "request" : "requests"}`;
      return {
        label: "Model decode rate",
        value: formatTokenRate(f.tokensPerSecond),
        help: `The model's decode rate across ${across}: each request's tokens after its first over the time it spent decoding them, hidden planning and classification included; steps that ran side by side are not added up. Each request's own rate is in the timeline.`,
      };
    }
    case "stream":
      return {
        label: "Tokens/s (live)",
        value: formatTokenRate(f.tokensPerSecond),
        help: "While the answer streams: its visible tokens after the first over the time since the first, measured in this browser. The server's decode rate replaces it when the run ends.",
      };
    case "cache":
      return {
        label: "Model decode rate",
        value: "none (cache)",
        help: "Answered from the response cache: no model decoded these tokens, so there is no rate to show.",
      };
    default:
      return {
        label: "Model decode rate",
        value: "after the run",
        help: "Steps stream side by side, so their tokens together are no one model's rate: the model's decode rate across its requests comes with the run's metrics, and each step's in the timeline.",
      };
  }
}

interface Props {
  client: AlmaClient | null;
  connected: boolean;
  messages: UiMessage[];
  context: ContextStats | null;
  onClose(): void;
}

/**
 * The metrics panel. What the page saw of a streaming run is noted at every update; the panel itself is drawn from
 * the messages at most four times a second, so it costs the stream little.
 */
export function MetricsPanel({ client, connected, messages, context, onClose }: Props) {
  const clock = useLiveClock(messages.findLast((m) => m.role === "assistant" && m.status === "streaming") ?? null);
  const shown = useThrottled(messages, 250);
  const close = React.useRef(onClose);
  close.current = onClose;
  const stableClose = React.useCallback(() => close.current(), []);
  return <PanelBody client={client} connected={connected} messages={shown} context={context} clock={clock} onClose={stableClose} />;
}

const PanelBody = React.memo(function PanelBody({ client, connected, messages, context, clock, onClose }: Props & { clock: LiveClock }) {
  const answers = messages.filter((m) => m.role === "assistant");
  const [selectedId, setSelectedId] = React.useState<string | null>(null);
  const answer = answers.find((a) => a.id === selectedId) ?? answers.at(-1) ?? null;
  const streaming = answer?.status === "streaming";
  const now = useNow(streaming);
  const f = answer ? answerFigures(answer, now, context) : null;
  const waterfall = answer ? messageWaterfall(answer, now, clock) : null;
  const prices = usePriceTable();
  const rate = f ? rateFigure(f) : null;
  const runContext = answer?.metrics?.context ?? (streaming ? context : null);

  return (
    <aside aria-label="Metrics" data-testid="metrics-panel" className="flex h-full flex-col overflow-y-auto border-l bg-card">
      <div className="sticky top-0 z-10 flex items-center justify-between border-b bg-card px-3 py-2">
        <h2 className="text-sm font-semibold">Metrics</h2>
        <Button size="icon-sm" variant="ghost" aria-label="Close metrics" onClick={onClose}>
          <X />
        </Button>
      </div>
      <section className="space-y-3 p-3" aria-labelledby="answer-metrics">
        <div className="flex items-center justify-between gap-2">
          <h3 id="answer-metrics" className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">
            Answer {f?.live ? <span data-testid="metrics-live">(live)</span> : null}
          </h3>
          {answers.length > 1 && (
            <select
              aria-label="Answer to show"
              data-testid="metrics-answer-select"
              className="h-7 rounded border bg-background px-1 text-xs"
              value={answer?.id ?? ""}
              onChange={(e) => setSelectedId(e.target.value)}
            >
              {answers.map((a, i) => (
                <option key={a.id} value={a.id}>
                  Answer {i + 1}
                  {a.status === "streaming" ? " (streaming)" : ""}
                </option>
              ))}
            </select>
          )}
        </div>
        {!f || !rate ? (
          <p className="text-sm text-muted-foreground" data-testid="answer-metrics-empty">
            Send a message to see its figures: time to first token, total time, the model's decode rate, tokens, and a timeline of every model request.
          </p>
        ) : (
          <div className="grid grid-cols-2 gap-2" data-testid="answer-metrics" data-live={f.live || undefined} data-answer-id={answer?.id}>
            <MetricFigure
              id="ttft"
              label="Time to first token"
              value={formatMs(f.ttftMs)}
              help="From the server receiving the message to the first token of the answer (while streaming: measured in this browser from the send)."
            />
            <MetricFigure id="total" label="Total time" value={formatMs(f.totalMs)} help="From the server receiving the message to the end of the run." />
            <MetricFigure id="tps" label={rate.label} value={rate.value} help={rate.help} />
            <MetricFigure
              id="model"
              label="Model"
              value={f.model ?? "–"}
              help={f.provider ? `The model that answered, through the ${f.provider} provider.` : "The model that answered: known when the run ends."}
            />
            <MetricFigure
              id="prompt-tokens"
              label="Prompt tokens"
              value={formatCount(f.promptTokens)}
              help="Tokens sent to the model, every request of the run: the request after the memory module trimmed it."
            />
            <MetricFigure
              id="completion-tokens"
              label="Completion tokens"
              value={formatCount(f.completionTokens)}
              help="Tokens the model produced for this run: the answer and its steps, plus the hidden planning and classification shown apart."
            />
            {!!f.planningTokens && (
              <MetricFigure
                id="planning-tokens"
                label="Planning tokens"
                value={formatCount(f.planningTokens)}
                help="Tokens the model wrote to plan the steps: hidden work, not part of the answer."
              />
            )}
            {!!f.classificationTokens && (
              <MetricFigure
                id="classification-tokens"
                label="Classification tokens"
                value={formatCount(f.classificationTokens)}
                help="Tokens the model wrote to decide the task type: hidden work, not part of the answer."
              />
            )}
            <MetricFigure
              id="trimmed"
              label="Trimmed / summarized"
              value={`${f.trimmed ?? "–"} / ${f.summarized ?? "–"}`}
              help="Messages left out of the request to fit the window / messages folded into the running summary."
            />
            <MetricFigure
              id="cache"
              label="Cache hit"
              value={f.cacheHit ? "yes" : "no"}
              help="Whether the answer came from the response cache instead of the model."
            />
            <MetricFigure id="retries" label="Retries" value={String(f.retries)} help="How many times the run retried the model after a transient failure." />
          </div>
        )}
        {waterfall && (
          <div data-testid="metrics-waterfall">
            <RunWaterfall waterfall={waterfall} />
          </div>
        )}
      </section>
      <CostBudget
        metrics={answer?.metrics ?? null}
        context={runContext}
        messages={messages}
        table={prices.table}
        onTableChange={prices.save}
        onTableReset={prices.reset}
      />
      <ConversationCharts messages={messages} />
      <ServerCharts client={client} connected={connected} />
    </aside>
  );
});
