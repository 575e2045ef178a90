"use client";
import type { ContextStats, ContextWindowInfo } from "@alma/protocol";
import { Tooltip } from "@/components/ui/tooltip";
import { describeContextWindow } from "@/lib/describe-context-window";
import { cn } from "@/lib/utils";

/**
 * How full the model's context window was for the last request, whether older messages were summarized, and where
 * the window's size came from. `modelWindow` is the model status's, whose detail (which endpoint told it) the run's
 * stats do not carry: it is used only when it describes the same window.
 */
export function ContextMeter({
  context,
  summarizedCount,
  modelWindow = null,
}: {
  context: ContextStats | null;
  summarizedCount: number;
  modelWindow?: ContextWindowInfo | null;
}) {
  if (!context) return null;
  const pct = Math.min(100, Math.round(context.fill * 100));
  const summarized = context.hasSummary || context.messagesSummarized > 0 || summarizedCount > 0;
  const source = context.windowSource ?? null;
  const sameWindow = modelWindow !== null && modelWindow.tokens === context.contextWindow && (source === null || modelWindow.source === source);
  const origin = describeContextWindow(sameWindow ? modelWindow : { tokens: context.contextWindow, source });
  const detail = `${context.promptTokens.toLocaleString()} of ${context.contextWindow.toLocaleString()} tokens in the last request; ${context.messagesIn} of ${context.messagesTotal} messages included${context.messagesTrimmed ? `, ${context.messagesTrimmed} trimmed` : ""}${summarized ? "; earlier messages summarized" : ""}; ${context.pinnedFacts} pinned. ${origin.charAt(0).toUpperCase()}${origin.slice(1)}.`;
  return (
    <Tooltip content={detail}>
      <button
        type="button"
        data-testid="context-meter"
        data-fill={pct}
        data-summarized={summarized || undefined}
        data-window-source={(sameWindow ? modelWindow.source : source) ?? undefined}
        className="flex items-center gap-2 rounded-md px-1 text-xs text-muted-foreground"
        aria-label={`Context window ${pct}% full. ${detail}`}
      >
        <span className="block h-1.5 w-16 overflow-hidden rounded-full bg-muted" aria-hidden>
          <span className={cn("block h-full", pct > 85 ? "bg-destructive" : pct > 60 ? "bg-warning" : "bg-primary")} style={{ width: `${pct}%` }} />
        </span>
        <span className="tabular-nums">{pct}%</span>
        {summarized && <span className="hidden sm:inline">· earlier messages summarized</span>}
      </button>
    </Tooltip>
  );
}
