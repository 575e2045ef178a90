"use client";
import type { ContextStats } from "@alma/protocol";
import { Tooltip } from "@/components/ui/tooltip";
import { cn } from "@/lib/utils";

/** How full the model's context window was for the last request, and whether older messages were summarized. */
export function ContextMeter({ context, summarizedCount }: { context: ContextStats | null; summarizedCount: number }) {
  if (!context) return null;
  const pct = Math.min(100, Math.round(context.fill * 100));
  const summarized = context.hasSummary || context.messagesSummarized > 0 || summarizedCount > 0;
  const detail = `${context.promptTokens.toLocaleString()} of ${context.contextWindow.toLocaleString()} tokens in the last request; ${context.messagesIn} of ${context.messagesTotal} messages included${context.messagesTrimmed ? `, ${context.messagesTrimmed} trimmed` : ""}${summarized ? "; earlier messages summarized" : ""}; ${context.pinnedFacts} pinned.`;
  return (
    <Tooltip content={detail}>
      <div tabIndex={0} data-testid="context-meter" data-fill={pct} data-summarized={summarized || undefined} className="flex items-center gap-2 rounded-md px-1 text-xs text-muted-foreground" aria-label={`Context window ${pct}% full. ${detail}`}>
        <div className="h-1.5 w-16 overflow-hidden rounded-full bg-muted" aria-hidden>
          <div className={cn("h-full", pct > 85 ? "bg-destructive" : pct > 60 ? "bg-warning" : "bg-primary")} style={{ width: `${pct}%` }} />
        </div>
        <span className="tabular-nums">{pct}%</span>
        {summarized && <span className="hidden sm:inline">· earlier messages summarized</span>}
      </div>
    </Tooltip>
  );
}
