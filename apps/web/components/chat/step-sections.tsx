"use client";
import * as React from "react";
import { Collapsible } from "radix-ui";
import { CheckCircle2, ChevronRight, CircleDashed, Loader2, OctagonX, Scissors, Square } from "lucide-react";
import type { StepView } from "@/lib/chat-state";
import { formatMs } from "@/lib/format";
import { cn } from "@/lib/utils";
import { Markdown } from "./markdown";
import { ToolCalls } from "./tool-call-view";

function StepIcon({ status }: { status: StepView["status"] }) {
  switch (status) {
    case "running":
      return <Loader2 className="size-4 animate-spin text-primary" aria-label="running" />;
    case "complete":
      return <CheckCircle2 className="size-4 text-success" aria-label="complete" />;
    case "truncated":
      return <Scissors className="size-4 text-warning" aria-label="truncated" />;
    case "failed":
      return <OctagonX className="size-4 text-destructive" aria-label="failed" />;
    case "stopped":
      return <Square className="size-4 text-muted-foreground" aria-label="stopped" />;
    default:
      return <CircleDashed className="size-4 text-muted-foreground" aria-label="pending" />;
  }
}

/** One step as a collapsible section; `label` is what it is called ("Step 2: Compute the payment", "Review"). */
const StepSection = React.memo(function StepSection({ step, label, streaming }: { step: StepView; label: string; streaming: boolean }) {
  const [open, setOpen] = React.useState(true);
  return (
    <Collapsible.Root
      open={open}
      onOpenChange={setOpen}
      data-testid="step-section"
      data-step-id={step.id}
      data-status={step.status}
      className="rounded-lg border"
    >
      <Collapsible.Trigger className="flex w-full items-center gap-2 px-3 py-2 text-left text-sm font-medium hover:bg-muted/60" aria-label={label}>
        <ChevronRight className={cn("size-4 shrink-0 transition-transform", open && "rotate-90")} aria-hidden />
        <StepIcon status={step.status} />
        <span className="min-w-0 flex-1 truncate">{label}</span>
        <span className="text-xs font-normal text-muted-foreground">{step.agent}</span>
        {step.durationMs !== null && (
          <span data-testid="step-duration" className="text-xs font-normal tabular-nums text-muted-foreground">
            {formatMs(step.durationMs)}
          </span>
        )}
      </Collapsible.Trigger>
      <Collapsible.Content className="border-t px-3 py-2 text-sm" data-testid="step-content">
        <ToolCalls tools={step.tools} />
        {step.text ? (
          <Markdown text={step.text} streaming={streaming && step.status === "running"} />
        ) : step.tools.length > 0 ? null : (
          <p className="text-muted-foreground">{step.status === "pending" ? "Waiting…" : "…"}</p>
        )}
        {step.note && <p className="mt-2 text-xs text-warning">{step.note}</p>}
      </Collapsible.Content>
    </Collapsible.Root>
  );
});

/**
 * An analytical run's plan: one collapsible section per step, numbered, each streaming in place (the reviewer's step
 * is not one of them: see ReviewSections). While the planner is still
 * writing (`planning`), steps already planned may run and more are announced below them.
 */
export function StepSections({ steps, streaming, planning = false }: { steps: StepView[]; streaming: boolean; planning?: boolean }) {
  return (
    <section className="space-y-2" data-testid="plan" aria-label="Plan" data-planning={planning || undefined}>
      {steps.map((s, i) => (
        <StepSection key={s.id} step={s} label={`Step ${i + 1}: ${s.title}`} streaming={streaming} />
      ))}
      {planning && (
        <p role="status" data-testid="plan-growing" className="flex items-center gap-2 px-3 text-xs text-muted-foreground">
          <Loader2 className="size-3.5 animate-spin" aria-hidden />
          Planning more steps…
        </p>
      )}
    </section>
  );
}

/** The reviewer's pass over the answer, shown after the answer it checks: "Review", not numbered with the plan. */
export function ReviewSections({ steps, streaming }: { steps: StepView[]; streaming: boolean }) {
  return (
    <section className="space-y-2" data-testid="review" aria-label="Review of the answer">
      {steps.map((s) => (
        <StepSection key={s.id} step={s} label={s.title || "Review"} streaming={streaming} />
      ))}
    </section>
  );
}
