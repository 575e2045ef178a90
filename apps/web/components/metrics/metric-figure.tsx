"use client";
import { Tooltip } from "@/components/ui/tooltip";

/** One labelled figure; hovering or focusing it says what it measures. */
export function MetricFigure({ id, label, value, help, wide = false }: { id: string; label: string; value: string; help: string; wide?: boolean }) {
  return (
    <Tooltip content={help}>
      <button
        type="button"
        className={`w-full rounded-lg border p-2 text-left${wide ? " col-span-2" : ""}`}
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
