import type { FinishReason, StepRecord } from "@alma/protocol";
import type { AnalysisStep } from "./analysis-plan.js";
import { stopNote } from "./finish-of.js";
import { AgentSpan, ALMA_ATTR, GEN_AI, markSpanFailed } from "./gen-ai-telemetry.js";
import type { RunScope } from "./run-scope.js";
import { stepToolCaller } from "./step-tool-calls.js";
import type { Agent } from "./worker-agent.js";

export interface StepOutcome {
  record: StepRecord;
  deltas: string[];
  completionTokens: number;
  note: string | null;
}

export interface StepRunOptions {
  /** 0-based position in the plan */
  index: number;
  /** the plan's length so far (the planner may still be writing) */
  total: () => number;
  /** true once the planner has finished, so the plan's length is known */
  final: () => boolean;
  stepsDeadline: AbortSignal;
  /** the step's output budget when it starts; 0 when no time is left for it */
  budget: () => number;
  resultOf: (id: string) => StepOutcome | undefined;
  /** the reviewer's pass: the draft answer it checks */
  draft?: string;
  /** the progress line instead of "Step N of M: title" */
  label?: string;
}

/** Carries out one plan step through the worker, live and tagged with the step, and records how it ended. */
export async function runStep(scope: RunScope, worker: Agent, step: AnalysisStep, o: StepRunOptions): Promise<StepOutcome> {
  const { input } = scope;
  const budget = o.budget();
  if (budget <= 0) return skippedStep(scope, step, worker.name, "no_time");
  const total = Math.max(o.total(), o.index + 1);
  const started = performance.now();
  const budgetCtrl = new AbortController();
  const signal = AbortSignal.any([input.signal, o.stepsDeadline, budgetCtrl.signal]);
  const deltas: string[] = [];
  let counted = 0;
  let closed = false;
  let generated = false;

  scope.progress("step", o.label ?? (o.final() ? `Step ${o.index + 1} of ${total}: ${step.title}` : `Step ${o.index + 1}: ${step.title}`), {
    step: { id: step.id, index: o.index, total },
  });
  scope.emit({ type: "run.step.started", stepId: step.id, title: step.title, agent: worker.name });
  // the step's worker, traced as `invoke_agent {worker}` under the run's span; its model request is a child
  const traced = new AgentSpan(worker.name, {
    [GEN_AI.conversationId]: input.conversationId,
    [ALMA_ATTR.stepId]: step.id,
    [ALMA_ATTR.stepTitle]: step.title,
  });

  const emitToken = (text: string) => {
    // nothing reaches the wire after the step ended or hit its budget, so the count stays exact
    if (closed || !text || signal.aborted) return;
    deltas.push(text);
    counted += scope.countTokens(text);
    scope.token(text, worker.name, step.id);
    if (counted >= budget) budgetCtrl.abort("budget");
  };

  let failure: unknown = null;
  let workerFinish: string = "stop";
  let reportedTokens: number | null = null;
  let workerNote: string | null = null;
  const tools = stepToolCaller(scope, { stepId: step.id, agent: worker.name, signal });
  try {
    const r = await traced.within(() =>
      worker.run(
        {
          task: input.userText,
          step: { id: step.id, title: step.title, instruction: step.instruction },
          index: o.index + 1,
          total,
          dependencies: step.dependsOn.flatMap((id) => {
            const dep = o.resultOf(id);
            return dep ? [{ id, title: dep.record.title, text: dep.record.text }] : [];
          }),
          contextSystem: scope.system,
          ...(o.draft !== undefined ? { draft: o.draft } : {}),
        },
        {
          emitToken,
          signal,
          budget,
          stepId: step.id,
          generate: (build, g) => {
            generated = true;
            // a tool loop's later rounds get what the earlier ones left of the step's budget
            const left = Math.max(1, Math.min(budget, g.budget ?? budget));
            return scope.generate(build, {
              role: "step",
              stepId: step.id,
              agent: worker.name,
              budget: left,
              minTokens: Math.min(left, 64),
              temperature: g.temperature,
              onDelta: g.onDelta,
              signal,
              countBudget: left,
              ...(g.tools?.length ? { tools: g.tools } : {}),
            });
          },
          supportsTools: () => scope.model.supportsTools?.() ?? false,
          callTool: tools.callTool,
          rejectToolCall: tools.rejectToolCall,
          room: async (build) => scope.window() - scope.margin() - (await scope.measure.countRequest(build(scope.messages))),
          measure: scope.measure,
        },
      ),
    );
    workerFinish = r.finishReason;
    workerNote = r.note ?? null;
    // usage of requests made through `generate` is already counted
    if (!generated) scope.addUsage({ promptTokens: r.promptTokens ?? 0, completionTokens: r.completionTokens, reported: r.reported ?? false });
    if (r.reported) reportedTokens = r.completionTokens;
  } catch (e) {
    failure = e;
    if (!generated) scope.addUsage({ promptTokens: counted > 0 ? scope.promptTokensOf(scope.messages) : 0, completionTokens: counted, reported: false });
  }
  closed = true;

  const secs = ((Date.now() - input.receivedAt) / 1000).toFixed(1);
  let status: StepRecord["status"];
  let finishReason: FinishReason;
  let note: string | null = null;
  const cut = workerFinish === "aborted" || (failure !== null && signal.aborted);
  if (budgetCtrl.signal.aborted || workerFinish === "length") {
    [status, finishReason, note] = ["truncated", "length", `stopped at its budget of ${budget} tokens`];
  } else if (cut && input.signal.aborted) {
    [status, finishReason, note] = ["stopped", "stopped", stopNote(input.signal)];
  } else if (cut && o.stepsDeadline.aborted) {
    [status, finishReason, note] = ["truncated", "deadline", `stopped after ${secs} s: the run's deadline`];
  } else if (failure !== null || cut) {
    const msg = failure instanceof Error ? failure.message : failure !== null ? String(failure) : "the worker ended without finishing";
    [status, finishReason, note] = ["failed", "error", `failed: ${msg}`];
  } else if (workerFinish === "content_filter") {
    [status, finishReason, note] = ["truncated", "content_filter", "stopped by the provider's content filter"];
  } else {
    [status, finishReason, note] = ["complete", "stop", workerNote];
  }
  const completionTokens = status === "complete" && reportedTokens !== null ? reportedTokens : counted;
  scope.emit({
    type: "run.step.completed",
    stepId: step.id,
    status,
    finishReason,
    note,
    completionTokens,
    durationMs: Math.max(0, performance.now() - started),
  });
  traced.span.setAttributes({ [ALMA_ATTR.stepStatus]: status, [ALMA_ATTR.finishReason]: finishReason, [GEN_AI.usageOutputTokens]: completionTokens });
  if (status === "failed") markSpanFailed(traced.span, "step_failed", note ?? "the step failed");
  traced.end();
  return {
    record: { id: step.id, title: step.title, agent: worker.name, dependsOn: step.dependsOn, text: deltas.join(""), status },
    deltas,
    completionTokens,
    note,
  };
}

/** A step that never ran: stopped by the user, or no time left for it before the answer had to be written. */
export function skippedStep(scope: RunScope, step: AnalysisStep, agent: string, why: "stopped" | "deadline" | "no_time"): StepOutcome {
  const note =
    why === "stopped"
      ? `not started: ${stopNote(scope.input.signal)}`
      : why === "deadline"
        ? `not started: the run's deadline (${Math.round(scope.settings.deadlineMs / 1000)} s) left no time for it`
        : "not started: at the model's pace no time was left for it before the answer had to be written";
  const status = why === "stopped" ? "stopped" : "truncated";
  scope.emit({ type: "run.step.started", stepId: step.id, title: step.title, agent });
  scope.emit({
    type: "run.step.completed",
    stepId: step.id,
    status,
    finishReason: why === "stopped" ? "stopped" : "deadline",
    note,
    completionTokens: 0,
    durationMs: 0,
  });
  return { record: { id: step.id, title: step.title, agent, dependsOn: step.dependsOn, text: "", status }, deltas: [], completionTokens: 0, note };
}
