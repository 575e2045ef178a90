import type { ChatMessage, LlmError } from "@alma/llm";
import type { FinishReason, PlanStep, StepRecord } from "@alma/protocol";
import { fallbackPlan, parsePlan, type AnalysisPlan, type AnalysisStep } from "./analysis-plan.js";
import { analyticalPlanPrompt } from "./prompts/analytical-plan-prompt.js";
import { analyticalSynthesisPrompt } from "./prompts/analytical-synthesis-prompt.js";
import { runStepGraph } from "./run-step-graph.js";
import type { RunScope } from "./run-scope.js";
import { finishOf } from "./finish-of.js";
import { withSystemPrompt } from "./with-system-prompt.js";
import type { Agent } from "./worker-agent.js";

export interface StepOutcome {
  record: StepRecord;
  deltas: string[];
  completionTokens: number;
  note: string | null;
}

export interface AnalyticalOutcome {
  plan: PlanStep[] | null;
  steps: StepOutcome[];
  /** the synthesis as streamed, including a deadline note */
  text: string;
  synthesisDeltas: string[];
  synthesisTokens: number;
  finishReason: FinishReason;
  error: LlmError | null;
  /** true when the answer is whole: every step complete and the synthesis ended naturally */
  complete: boolean;
}

export interface AnalyticalOptions {
  worker: Agent;
  synthesisTemperature: number;
  synthesisMaxTokens: number;
}

/** Plan, delegate each step to the worker (live, tagged, concurrent where independent), then synthesize. */
export async function runAnalytical(scope: RunScope, opts: AnalyticalOptions): Promise<AnalyticalOutcome> {
  const { input, settings } = scope;
  const task = input.userText;
  const none = (finishReason: FinishReason, error: LlmError | null): AnalyticalOutcome => ({
    plan: null,
    steps: [],
    text: "",
    synthesisDeltas: [],
    synthesisTokens: 0,
    finishReason,
    error,
    complete: false,
  });

  scope.progress("planning", "Planning the steps");
  const planned = await makePlan(scope, task);
  if ("finishReason" in planned) return none(planned.finishReason, planned.error);
  const plan = planned;
  const planSteps: PlanStep[] = plan.steps.map((s) => ({ id: s.id, title: s.title, agent: opts.worker.name, dependsOn: s.dependsOn }));
  scope.emit({ type: "run.plan", steps: planSteps });
  if (plan.fallback) scope.progress("planning", "No usable plan came back; answering in a single step");

  // steps end early enough to leave the synthesis time before the run's deadline
  const reserve = settings.synthesisReserveMs ?? Math.min(15_000, Math.round(settings.deadlineMs / 4));
  const stepsDeadline = scope.signalAt(input.receivedAt + settings.deadlineMs - reserve, "deadline");
  const total = plan.steps.length;
  const ended = new Map<string, StepOutcome>();
  const results = await runStepGraph(plan.steps, {
    concurrency: settings.maxConcurrentSteps,
    canStart: () => !input.signal.aborted && !stepsDeadline.aborted,
    skip: (step) => skippedStep(scope, step, opts.worker.name, input.signal.aborted),
    run: async (step, index) => {
      const r = await runStep(scope, opts.worker, step, index, total, stepsDeadline, (id) => ended.get(id));
      ended.set(step.id, r);
      return r;
    },
  });
  const steps = plan.steps.map((s) => results.get(s.id)!);

  if (input.signal.aborted) return { ...none("stopped", null), plan: planSteps, steps };

  scope.progress("synthesizing", `Writing the answer from ${total} step${total === 1 ? "" : "s"}`);
  const rendered = analyticalSynthesisPrompt.render({
    task,
    steps: steps.map((s) => ({ title: s.record.title, status: s.record.status, note: s.note, text: s.record.text })),
  });
  const build = (base: ChatMessage[]): ChatMessage[] => [
    ...withSystemPrompt(base, rendered.system, scope.system),
    { role: "user", content: rendered.instruction! },
  ];
  const out = await scope.generate(build, {
    maxOutputTokens: opts.synthesisMaxTokens,
    temperature: opts.synthesisTemperature,
    onDelta: (t) => scope.token(t, "manager", null),
  });
  const { finishReason, text } = scope.endAnswer(out);
  return {
    plan: planSteps,
    steps,
    text,
    synthesisDeltas: out.deltas,
    synthesisTokens: out.completionTokens,
    finishReason,
    error: out.error,
    complete: finishReason === "stop" && steps.every((s) => s.record.status === "complete"),
  };
}

async function makePlan(scope: RunScope, task: string): Promise<AnalysisPlan | { finishReason: FinishReason; error: LlmError | null }> {
  const { settings, input } = scope;
  const rendered = analyticalPlanPrompt.render({ task, minSteps: settings.minSteps, maxSteps: settings.maxSteps });
  const build = (base: ChatMessage[]): ChatMessage[] => [
    ...withSystemPrompt(base, rendered.system, scope.system),
    { role: "user", content: rendered.instruction! },
  ];
  // after an unusable plan: the model's answer and what was wrong with it, for one repair attempt
  let repair: ChatMessage[] = [];
  for (let attempt = 0; attempt < 2; attempt++) {
    const out = await scope.generate((base) => [...build(base), ...repair], {
      maxOutputTokens: analyticalPlanPrompt.maxOutputTokens,
      temperature: analyticalPlanPrompt.temperature,
      json: true,
    });
    if (out.finishReason === "aborted") return { finishReason: finishOf("aborted", input.signal, scope.deadline), error: null };
    if (out.finishReason === "error" && out.error) return { finishReason: "error", error: out.error };
    const parsed = parsePlan(out.text, settings.minSteps, settings.maxSteps);
    if (parsed.ok) return parsed.plan;
    if (attempt === 0) {
      scope.progress("planning", "The plan was not valid JSON; asking once more");
      repair = [
        { role: "assistant", content: out.text },
        {
          role: "user",
          content: `That plan could not be used (${parsed.problem}). Reply with only the JSON object {"steps":[{"id","title","instruction","dependsOn"}]} with ${settings.minSteps} to ${settings.maxSteps} steps.`,
        },
      ];
    }
  }
  return fallbackPlan(task);
}

async function runStep(
  scope: RunScope,
  worker: Agent,
  step: AnalysisStep,
  index: number,
  total: number,
  stepsDeadline: AbortSignal,
  resultOf: (id: string) => StepOutcome | undefined,
): Promise<StepOutcome> {
  const { input, settings } = scope;
  const budget = settings.stepMaxOutputTokens;
  const started = performance.now();
  const budgetCtrl = new AbortController();
  const signal = AbortSignal.any([input.signal, stepsDeadline, budgetCtrl.signal]);
  const deltas: string[] = [];
  let counted = 0;
  let closed = false;

  scope.progress("step", `Step ${index + 1} of ${total}: ${step.title}`, { step: { id: step.id, index, total } });
  scope.emit({ type: "run.step.started", stepId: step.id, title: step.title, agent: worker.name });

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
  try {
    const r = await worker.run(
      {
        task: input.userText,
        step: { id: step.id, title: step.title, instruction: step.instruction },
        index: index + 1,
        total,
        dependencies: step.dependsOn.flatMap((id) => {
          const dep = resultOf(id);
          return dep ? [{ id, title: dep.record.title, text: dep.record.text }] : [];
        }),
        context: scope.messages,
        contextSystem: scope.system,
      },
      { emitToken, signal, budget, onRetry: scope.onRetry, shrinkContext: () => scope.shrink() },
    );
    workerFinish = r.finishReason;
    scope.addUsage({ promptTokens: r.promptTokens ?? 0, completionTokens: r.completionTokens, reported: r.reported ?? false });
    if (r.reported) reportedTokens = r.completionTokens;
  } catch (e) {
    failure = e;
    // a worker that failed after streaming had its prompt consumed: count the context it was given
    scope.addUsage({ promptTokens: counted > 0 ? scope.promptTokensOf(scope.messages) : 0, completionTokens: counted, reported: false });
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
    [status, finishReason, note] = ["stopped", "stopped", "stopped by the user"];
  } else if (cut && stepsDeadline.aborted) {
    [status, finishReason, note] = ["truncated", "deadline", `stopped after ${secs} s: the run's deadline`];
  } else if (failure !== null || cut) {
    const msg = failure instanceof Error ? failure.message : failure !== null ? String(failure) : "the worker ended without finishing";
    [status, finishReason, note] = ["failed", "error", `failed: ${msg}`];
  } else if (workerFinish === "content_filter") {
    [status, finishReason, note] = ["truncated", "content_filter", "stopped by the provider's content filter"];
  } else {
    [status, finishReason] = ["complete", "stop"];
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
  return {
    record: { id: step.id, title: step.title, agent: worker.name, dependsOn: step.dependsOn, text: deltas.join(""), status },
    deltas,
    completionTokens,
    note,
  };
}

function skippedStep(scope: RunScope, step: AnalysisStep, agent: string, stopped: boolean): StepOutcome {
  const note = stopped
    ? "not started: stopped by the user"
    : `not started: the run's deadline (${Math.round(scope.settings.deadlineMs / 1000)} s) left no time for it`;
  const status = stopped ? "stopped" : "truncated";
  scope.emit({ type: "run.step.started", stepId: step.id, title: step.title, agent });
  scope.emit({
    type: "run.step.completed",
    stepId: step.id,
    status,
    finishReason: stopped ? "stopped" : "deadline",
    note,
    completionTokens: 0,
    durationMs: 0,
  });
  return { record: { id: step.id, title: step.title, agent, dependsOn: step.dependsOn, text: "", status }, deltas: [], completionTokens: 0, note };
}
