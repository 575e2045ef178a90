"use client";
import * as React from "react";
import { formatUsd, type ContextStats, type ModelPrice, type RunMetrics } from "@alma/protocol";
import type { UiMessage } from "@/lib/ui-message";
import { conversationCost, runCost, type RunCost } from "@/lib/metrics-cost";
import { sameMeasuredAnswers } from "@/lib/metrics-series";
import { formatCount, formatShare } from "@/lib/metrics-format";
import { MetricFigure } from "./metric-figure";
import { PriceTableEditor } from "./price-table-editor";

function costText(c: RunCost): string {
  if (c.cacheHit) return "$0 (cache)";
  return c.usd === null ? "no price set" : formatUsd(c.usd);
}

function costHelp(c: RunCost): string {
  if (c.cacheHit) return "Answered from the response cache: no model request, nothing spent.";
  if (!c.price) return `No price for ${c.model} in the price table below (a local model costs nothing per token): add a row to estimate it.`;
  return `${formatCount(c.promptTokens)} tokens in at $${c.price.inputPerMillion}/M and ${formatCount(c.completionTokens)} out at $${c.price.outputPerMillion}/M (${c.price.model}'s price), every request of the run counted.`;
}

/** How much of the window the request used: the memory module's prompt against the model's context window. */
function ContextUsed({ context }: { context: ContextStats }) {
  const fill = Math.min(1, Math.max(0, context.fill));
  return (
    <div
      className="col-span-2 space-y-1 rounded-lg border p-2"
      data-testid="context-used"
      data-fill={context.fill.toFixed(4)}
      data-window={context.contextWindow}
    >
      <div className="flex items-baseline justify-between text-[11px] text-muted-foreground">
        <span>Context window used</span>
        <span className="tabular-nums" data-testid="context-used-value">
          {formatCount(context.promptTokens)} of {formatCount(context.contextWindow)} tokens ({formatShare(context.fill)})
        </span>
      </div>
      <div className="h-2 overflow-hidden rounded bg-muted" aria-hidden>
        <div className={fill > 0.9 ? "h-full bg-destructive" : fill > 0.7 ? "h-full bg-warning" : "h-full bg-primary"} style={{ width: `${fill * 100}%` }} />
      </div>
      <p className="text-[11px] text-muted-foreground">
        Prompt budget {formatCount(context.promptBudget)}, output budget {formatCount(context.outputBudget)}; {formatCount(context.messagesIn)} of{" "}
        {formatCount(context.messagesTotal)} messages in.
      </p>
    </div>
  );
}

/** Cost and budget of the shown run and of the whole conversation, with the price table they use; not redrawn per token. */
export const CostBudget = React.memo(CostBudgetOf, (a, b) => {
  const { messages: am, ...ar } = a;
  const { messages: bm, ...br } = b;
  return sameMeasuredAnswers(am, bm) && (Object.keys(ar) as (keyof typeof ar)[]).every((k) => ar[k] === br[k]);
});

function CostBudgetOf({
  metrics,
  context,
  messages,
  table,
  onTableChange,
  onTableReset,
}: {
  metrics: RunMetrics | null;
  /** the run's context, or while it streams the live one */
  context: ContextStats | null;
  messages: UiMessage[];
  table: ModelPrice[];
  onTableChange(table: ModelPrice[]): void;
  onTableReset(): ModelPrice[];
}) {
  const run = metrics ? runCost(metrics, table) : null;
  const total = conversationCost(messages, table);
  const totalValue =
    total.runs === 0
      ? "–"
      : total.usd === null
        ? "no price set"
        : `${formatUsd(total.usd)}${total.unpricedRuns > 0 ? ` + ${total.unpricedRuns} unpriced` : ""}`;
  return (
    <section className="space-y-2 border-t p-3" aria-labelledby="cost-budget" data-testid="cost-budget">
      <h3 id="cost-budget" className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">
        Cost and budget
      </h3>
      <div className="grid grid-cols-2 gap-2">
        <MetricFigure
          id="cost"
          label="Estimated cost, this answer"
          value={run ? costText(run) : "after the run"}
          help={run ? costHelp(run) : "The cost is estimated from the run's token counts once it completes."}
        />
        <MetricFigure
          id="conversation-cost"
          label="Conversation cost"
          value={totalValue}
          help={
            total.unpricedModels.length > 0
              ? `Priced answers added up; ${total.unpricedRuns} answer(s) of ${total.unpricedModels.join(", ")} have no price set.`
              : `The ${total.runs} measured answers of this conversation added up at the table's prices.`
          }
        />
        <MetricFigure
          id="conversation-tokens"
          label="Conversation tokens in / out"
          value={`${formatCount(total.promptTokens)} / ${formatCount(total.completionTokens)}`}
          help={`Prompt and completion tokens of every request of the conversation's ${total.runs} measured answers, hidden work included.`}
          wide
        />
        {context ? (
          <ContextUsed context={context} />
        ) : (
          <p className="col-span-2 text-xs text-muted-foreground">The context window used appears once the memory module built the request.</p>
        )}
      </div>
      <details className="rounded-lg border p-2" data-testid="price-table-details">
        <summary className="cursor-pointer text-xs font-medium">Prices</summary>
        <div className="pt-2">
          <PriceTableEditor table={table} currentModel={metrics?.model ?? null} onChange={onTableChange} onReset={onTableReset} />
        </div>
      </details>
    </section>
  );
}
