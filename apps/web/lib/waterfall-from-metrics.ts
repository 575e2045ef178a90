import type { FinishReason, RunMetrics } from "@alma/protocol";
import type { StepView } from "./ui-message";
import { byStart, cutOf, numberRequests, ROLE_LABEL, type Waterfall, type WaterfallRowDraft } from "./waterfall-model";
import { placeTools, toolMarks } from "./waterfall-tools";

/** A finished run's rows from the server's metrics; `steps` (the message's) give each step's status, `runFinish` how the run ended. */
export function waterfallFromMetrics(mt: RunMetrics, steps: readonly StepView[] | null = null, runFinish: FinishReason | null = null): Waterfall {
  const statusOf = (stepId: string | null) => (stepId === null ? null : (steps?.find((s) => s.id === stepId)?.status ?? null));
  const titleOf = (stepId: string) => mt.steps.find((s) => s.stepId === stepId)?.title ?? steps?.find((s) => s.id === stepId)?.title ?? stepId;
  let rows: WaterfallRowDraft[];
  let source: Waterfall["source"] = "requests";
  if (mt.requests && mt.requests.length > 0) {
    rows = [...mt.requests].sort(byStart).map((r, i) => ({
      key: `${r.role}:${r.stepId ?? i}`,
      role: r.role,
      label: r.role === "step" && r.stepId !== null ? titleOf(r.stepId) : ROLE_LABEL[r.role],
      agent: r.agent,
      stepId: r.stepId,
      startMs: r.startMs,
      firstTokenMs: r.firstTokenMs,
      endMs: Math.max(r.startMs, r.endMs),
      promptTokens: r.promptTokens,
      completionTokens: r.completionTokens,
      maxTokens: r.maxTokens,
      tokensPerSecond: r.tokensPerSecond,
      finishReason: r.finishReason,
      cut: cutOf(r.role, r.finishReason, statusOf(r.stepId), runFinish),
      running: false,
    }));
  } else {
    // stored before each request was measured: the steps' own timings, and the answer after them
    source = "steps";
    rows = mt.steps.map((s) => ({
      key: `step:${s.stepId}`,
      role: "step" as const,
      label: s.title,
      agent: steps?.find((v) => v.id === s.stepId)?.agent ?? "worker",
      stepId: s.stepId,
      startMs: s.startMs,
      firstTokenMs: s.firstTokenMs,
      endMs: Math.max(s.startMs, s.endMs),
      promptTokens: null,
      completionTokens: s.completionTokens,
      maxTokens: null,
      tokensPerSecond: s.tokensPerSecond ?? null,
      finishReason: s.finishReason,
      cut: cutOf("step", s.finishReason, statusOf(s.stepId), runFinish),
      running: false,
    }));
    if (!mt.cacheHit && mt.firstTokenMs !== null) {
      const analytical = rows.length > 0;
      const start = analytical ? Math.max(...rows.map((r) => r.endMs)) : (mt.upstreamStartedMs ?? mt.requestBuiltMs ?? 0);
      const stepTokens = rows.reduce((n, r) => n + (r.completionTokens ?? 0), 0);
      rows.push({
        key: analytical ? "synthesis" : "answer",
        role: analytical ? "synthesis" : "answer",
        label: analytical ? "Synthesis" : "Answer",
        agent: "manager",
        stepId: null,
        startMs: start,
        firstTokenMs: analytical ? null : mt.firstTokenMs,
        endMs: Math.max(start, mt.lastTokenMs ?? mt.totalMs),
        promptTokens: analytical ? null : mt.promptTokens,
        completionTokens: analytical
          ? Math.max(0, mt.completionTokens - stepTokens - (mt.planningTokens ?? 0) - (mt.classificationTokens ?? 0))
          : mt.completionTokens,
        maxTokens: null,
        tokensPerSecond: analytical ? null : mt.tokensPerSecond,
        finishReason: runFinish,
        cut: cutOf(analytical ? "synthesis" : "answer", runFinish, null, runFinish),
        running: false,
      });
    }
    rows.sort(byStart);
  }
  const spanMs = Math.max(mt.totalMs, ...rows.map((r) => r.endMs));
  const tools = toolMarks(steps, (t) => t - mt.receivedAt, spanMs);
  return { rows: placeTools(numberRequests(rows), tools), source, spanMs, retries: mt.retries, cacheHit: mt.cacheHit, waiting: 0 };
}
