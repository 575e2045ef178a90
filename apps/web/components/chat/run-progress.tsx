"use client";
import { Loader2 } from "lucide-react";
import type { ProgressView } from "@/lib/chat-state";

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

/** The run's current phase, announced politely to screen readers. */
export function RunProgress({ progress }: { progress: ProgressView }) {
  const label = progress.label || PHASE_WORDS[progress.phase] || progress.phase;
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
      {progress.step && (
        <span className="tabular-nums" aria-hidden>
          ({progress.step.index + 1}/{progress.step.total})
        </span>
      )}
    </div>
  );
}
