"use client";
import { Loader2 } from "lucide-react";
import type { ProgressView, StepView } from "@/lib/chat-state";
import { progressOfPlan } from "@/lib/review-step";

const PHASE_WORDS: Record<string, string> = {
  queued: "Queued",
  classifying: "Classifying the task",
  recalling_memory: "Recalling memory",
  planning: "Planning",
  step: "Working on a step",
  synthesizing: "Synthesizing",
  generating: "Writing",
  retrying: "Retrying",
  cache_hit: "Answer from cache",
  done: "Done",
};

/**
 * The run's current phase, announced politely to screen readers; a step's count is the final plan's (none while the
 * planner still writes, nor for the review).
 */
export function RunProgress({ progress, steps = null, planning = false }: { progress: ProgressView; steps?: StepView[] | null; planning?: boolean }) {
  const plan = progressOfPlan(progress, steps, planning);
  const label = plan.label || PHASE_WORDS[progress.phase] || progress.phase;
  return (
    <div
      data-testid="run-progress"
      data-phase={progress.phase}
      role="status"
      aria-live="polite"
      className="flex items-center gap-2 text-xs text-muted-foreground"
    >
      <Loader2 className="size-3.5 animate-spin" aria-hidden />
      <span>{label}</span>
      {/* the count, unless the label says it already ("Step 2 of 3: …") */}
      {plan.counter && !/^Step \d+ of \d+:/.test(label) && (
        <span className="tabular-nums" aria-hidden data-testid="run-progress-count">
          ({plan.counter.index + 1}/{plan.counter.total})
        </span>
      )}
    </div>
  );
}
