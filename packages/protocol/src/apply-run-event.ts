import type { MessageStatus, PlanStep, StepRecord } from "./conversation.js";
import type { FinishReason } from "./usage.js";
import type { RunState } from "./run-state.js";
import type { RunEvent } from "./server-frame.js";

export interface RunSeed {
  runId: string;
  /** what a continued run starts from: the kept part of the answer and its steps */
  text?: string;
  steps?: StepRecord[] | null;
}

/** A run's state before its first event. */
export function createRunState(seed: RunSeed): RunState {
  return {
    runId: seed.runId,
    conversationId: null,
    userMessageId: null,
    assistantMessageId: null,
    lastIndex: -1,
    tokens: 0,
    status: "streaming",
    taskType: null,
    provider: null,
    model: null,
    text: seed.text ?? "",
    steps: seed.steps?.map((s) => ({ ...s })) ?? [],
    planning: false,
    progress: null,
    context: null,
    finishReason: null,
    usage: null,
    metrics: null,
    cacheHit: false,
    error: null,
    startedAt: null,
    firstTokenAt: null,
    lastTokenAt: null,
  };
}

/** Where an event stands against a state: the next one to fold, one already folded, or one past a hole. */
export type RunEventFit = "next" | "duplicate" | "gap" | "other_run";

export function runEventFit(state: RunState, event: RunEvent): RunEventFit {
  if (event.runId !== state.runId) return "other_run";
  if (event.index <= state.lastIndex) return "duplicate";
  return event.index === state.lastIndex + 1 ? "next" : "gap";
}

/** The stored status of a run that ended with `finishReason` (as the server's classifyRunEnd gives them). */
export function statusOfFinish(reason: FinishReason): MessageStatus {
  switch (reason) {
    case "stopped":
    case "deadline":
      return "stopped";
    case "interrupted":
      return "interrupted";
    case "error":
      return "failed";
    default:
      return "complete";
  }
}

export function isTerminalRunEvent(event: RunEvent): event is Extract<RunEvent, { type: "run.completed" | "run.error" }> {
  return event.type === "run.completed" || event.type === "run.error";
}

function newStep(planned: PlanStep): StepRecord {
  return { ...planned, text: "", status: "pending", note: null, durationMs: null, completionTokens: null, startedAt: null, firstTokenAt: null };
}

/**
 * A later run.plan lists the steps planned so far plus new ones, and steps may already be streaming: every step
 * keeps its progress, and a step whose plan entry did not change stays the same object (memoized views skip it).
 */
export function mergePlanSteps(existing: readonly StepRecord[], planned: readonly PlanStep[]): StepRecord[] {
  const byId = new Map(planned.map((s) => [s.id, s]));
  const kept = existing.map((s) => {
    const p = byId.get(s.id);
    if (!p || (p.title === s.title && p.agent === s.agent && p.dependsOn.join() === s.dependsOn.join())) return s;
    return { ...s, title: p.title, agent: p.agent, dependsOn: p.dependsOn };
  });
  const known = new Set(kept.map((s) => s.id));
  return [...kept, ...planned.filter((s) => !known.has(s.id)).map(newStep)];
}

function updateStep(steps: StepRecord[], stepId: string, f: (s: StepRecord) => StepRecord): StepRecord[] {
  const i = steps.findIndex((s) => s.id === stepId);
  if (i < 0) return steps;
  const next = steps.slice();
  next[i] = f(steps[i]!);
  return next;
}

/** Steps a run left unfinished: a running one was cut when the run ended short of complete. */
function settleSteps(steps: StepRecord[], status: MessageStatus): StepRecord[] {
  if (status === "complete" || !steps.some((s) => s.status === "running")) return steps;
  return steps.map((s) => (s.status === "running" ? { ...s, status: "stopped" } : s));
}

/**
 * The one fold from a run's events to its state, used by the server (live runs, what it stores), the web app, the
 * CLI and the tests. Pure: the state passed in is never changed. Events must come in index order; a duplicate, an
 * event past a hole, or another run's event leaves the state as it is (see `runEventFit` to tell them apart).
 */
export function applyRunEvent(state: RunState, event: RunEvent): RunState {
  if (runEventFit(state, event) !== "next") return state;
  const next: RunState = { ...state, lastIndex: event.index };
  switch (event.type) {
    case "run.started":
      return {
        ...next,
        conversationId: event.conversationId,
        userMessageId: event.userMessageId,
        assistantMessageId: event.assistantMessageId,
        taskType: event.taskType,
        provider: event.provider,
        model: event.model,
        status: "streaming",
        progress: { phase: "queued", label: "Starting", step: null },
        startedAt: event.at,
        // a continue extends the kept part: every viewer's fold starts from it, whenever it joined
        ...(event.continued ? { text: event.continued.text, steps: event.continued.steps?.map((s) => ({ ...s })) ?? [] } : {}),
      };
    case "run.classified":
      return { ...next, taskType: event.taskType };
    case "run.progress":
      return {
        ...next,
        progress: { phase: event.phase, label: event.label, step: event.step ?? null },
        // synthesis starts only once the plan is whole, even if its final run.plan was not sent
        planning: event.phase === "synthesizing" || event.phase === "done" ? false : state.planning,
      };
    case "run.plan":
      return { ...next, steps: mergePlanSteps(state.steps, event.steps), planning: event.final === false };
    case "run.step.started": {
      const steps = state.steps.some((s) => s.id === event.stepId)
        ? state.steps
        : [...state.steps, newStep({ id: event.stepId, title: event.title, agent: event.agent, dependsOn: [] })];
      return { ...next, steps: updateStep(steps, event.stepId, (s) => ({ ...s, status: "running", startedAt: event.at })) };
    }
    case "run.step.completed":
      return {
        ...next,
        steps: updateStep(state.steps, event.stepId, (s) => ({
          ...s,
          status: event.status,
          note: event.note,
          durationMs: event.durationMs,
          completionTokens: event.completionTokens,
        })),
      };
    case "run.tool.started":
      if (event.stepId === null) return next;
      return {
        ...next,
        steps: updateStep(state.steps, event.stepId, (s) => ({
          ...s,
          tools: [
            ...(s.tools ?? []).filter((t) => t.id !== event.callId),
            {
              id: event.callId,
              tool: event.tool,
              arguments: event.arguments,
              status: "running",
              result: null,
              error: null,
              durationMs: null,
              startedAt: event.at,
            },
          ],
        })),
      };
    case "run.tool.completed":
      if (event.stepId === null) return next;
      return {
        ...next,
        steps: updateStep(state.steps, event.stepId, (s) => ({
          ...s,
          tools: (s.tools ?? []).map((t) =>
            t.id === event.callId ? { ...t, status: event.ok ? "ok" : "error", result: event.result, error: event.error, durationMs: event.durationMs } : t,
          ),
        })),
      };
    case "run.token": {
      const timed = { ...next, tokens: state.tokens + 1, firstTokenAt: state.firstTokenAt ?? event.at, lastTokenAt: event.at };
      if (event.stepId === null) return { ...timed, text: state.text + event.text };
      return {
        ...timed,
        steps: updateStep(state.steps, event.stepId, (s) => ({
          ...s,
          text: s.text + event.text,
          status: s.status === "pending" ? "running" : s.status,
          firstTokenAt: s.firstTokenAt ?? event.at,
        })),
      };
    }
    case "run.context":
      return { ...next, context: event.context };
    case "run.completed": {
      const status = statusOfFinish(event.finishReason);
      return {
        ...next,
        status,
        finishReason: event.finishReason,
        usage: event.usage,
        metrics: event.metrics,
        cacheHit: event.cacheHit,
        context: event.metrics.context ?? state.context,
        progress: null,
        planning: false,
        steps: settleSteps(state.steps, status),
      };
    }
    case "run.error": {
      // a run cut by a shutdown is interrupted (it can be continued), not failed
      const status: MessageStatus = event.code === "shutting_down" ? "interrupted" : "failed";
      return {
        ...next,
        status,
        finishReason: status === "interrupted" ? "interrupted" : "error",
        error: { code: event.code, message: event.message, retryable: event.retryable, partial: event.partial },
        metrics: event.metrics ?? state.metrics,
        progress: null,
        planning: false,
        steps: settleSteps(state.steps, status),
      };
    }
  }
}

/** Folds a run's events from its seed; events out of order are skipped as `applyRunEvent` does. */
export function foldRunEvents(seed: RunSeed | RunState, events: Iterable<RunEvent>): RunState {
  let state = "lastIndex" in seed ? seed : createRunState(seed);
  for (const event of events) state = applyRunEvent(state, event);
  return state;
}
