import type { ChatMessage, LlmError } from "@alma/llm";
import type { FinishReason, PlanStep } from "@alma/protocol";
import type { AnalysisStep } from "./analysis-plan.js";
import { decodeRate, REVIEWER_AGENT } from "@alma/protocol";
import { tokensShown } from "./tokens-shown.js";
import { finishOf } from "./finish-of.js";
import { PlanStreamParser } from "./plan-stream-parser.js";
import { MIN_STEP_TOKENS, TIME_SAFETY, type PlanShape, type RunShape } from "./plan-run-shape.js";
import { analyticalPlanPrompt } from "./prompts/analytical-plan-prompt.js";
import type { RunDocuments } from "./run-documents.js";
import { runReview, type ReviewMode } from "./run-review.js";
import type { RunScope } from "./run-scope.js";
import { runStep, skippedStep, type StepOutcome } from "./run-step.js";
import { StepGraph } from "./run-step-graph.js";
import { synthesize } from "./run-synthesis.js";
import { assignStepKind } from "./step-kind-rules.js";
import type { StepAgents } from "./step-agents.js";
import { nowMs } from "./stream-generation.js";
import { withSystemPrompt } from "./with-system-prompt.js";

export type { StepOutcome } from "./run-step.js";

export interface AnalyticalOutcome {
  plan: PlanStep[];
  steps: StepOutcome[];
  /** the synthesis as streamed, including a deadline note */
  text: string;
  synthesisDeltas: string[];
  synthesisTokens: number;
  finishReason: FinishReason;
  error: LlmError | null;
  /** true when the answer is whole: every step complete and the synthesis ended naturally */
  complete: boolean;
  /** the reviewer's pass over the answer, when the run had time for one */
  review: StepOutcome | null;
}

/** The planner gave no plan worth running: answer in one pass, saying why in the progress line. */
export interface DirectAnswer {
  direct: string;
}

export type Pace = { ttftMs: number; tokensPerSecond: number };

export interface AnalyticalOptions {
  /** the workers' kinds and the worker of each step */
  agents: StepAgents;
  /** the run's attached documents: the planner is told of them, and the synthesis reads them when no researcher step did */
  documents?: RunDocuments | null;
  /** the reviewer's pass after the synthesis; default off */
  review?: ReviewMode;
  shape: PlanShape;
  synthesisTemperature: number;
  /** the synthesis's budget with time and room to spare */
  synthesisMaxTokens: number;
  /** the model's pace as known now */
  pace: () => Pace;
  /** sizes the run again for a pace measured on the planner's own stream */
  reshape: (pace: Pace) => RunShape;
}

// the planner's pace is read once it has written this much: enough to tell 5 tokens/s from 40
const PACE_CHECK_TOKENS = 8;
const PACE_CHECK_MS = 300;

/**
 * Plan, delegate each step to the worker as soon as the planner has written it (live, tagged, concurrent where
 * independent, while the planner writes the next), then synthesize. A planner that writes no JSON, a plan of one
 * step, or a model too slow for any plan ends in a DirectAnswer before any step ran.
 */
export async function runAnalytical(scope: RunScope, opts: AnalyticalOptions): Promise<AnalyticalOutcome | DirectAnswer> {
  const { input, settings } = scope;
  const task = input.userText;
  let shape = opts.shape;
  const deadlineAt = input.receivedAt + settings.deadlineMs;
  // the steps end early enough to leave the synthesis its time: the estimate, or the setting
  const synthesisMs = (pace: Pace, tokens: number) => pace.ttftMs + (tokens / Math.max(0.1, pace.tokensPerSecond)) * 1000;
  const reserveMs = settings.synthesisReserveMs ?? Math.min(settings.deadlineMs / 2, synthesisMs(opts.pace(), shape.synthesisTokens) * 1.1 + 500);
  const stepsDeadline = scope.signalAt(deadlineAt - reserveMs, "deadline");

  scope.progress("planning", `Planning up to ${shape.steps} steps`);
  const parser = new PlanStreamParser(shape.steps);
  const planned: AnalysisStep[] = [];
  let held: AnalysisStep | null = null;
  const { agents } = opts;
  const kinds = agents.plannable();
  const available = new Set(kinds.map((k) => k.name));
  const summaries = opts.documents?.summaries() ?? [];
  const documentNames = summaries.map((d) => d.name);
  // each step runs as the kind it names, helped by the rules for small planners, resolved by the registry
  const assigned: AnalysisStep[] = [];
  const assign = (steps: AnalysisStep[]): AnalysisStep[] =>
    steps.map((s) => {
      const kind = agents.resolve(assignStepKind(s, { task, available, assigned: assigned.map((a) => a.agent!), documentNames }));
      const step = { ...s, agent: kind };
      assigned.push(step);
      return step;
    });
  const kindOf = (s: AnalysisStep) => s.agent ?? agents.resolve(undefined);
  // a kind that cannot be equipped for this run (a tool it names is missing) gives its step to the analyst
  const workerOf = (s: AnalysisStep) => {
    try {
      return agents.worker(s.agent);
    } catch {
      return agents.worker(undefined);
    }
  };
  const toPlanStep = (s: AnalysisStep): PlanStep => ({ id: s.id, title: s.title, agent: kindOf(s), dependsOn: s.dependsOn });
  const graph: StepGraph<AnalysisStep, StepOutcome> = new StepGraph<AnalysisStep, StepOutcome>({
    concurrency: shape.concurrency,
    canStart: () => !input.signal.aborted && !stepsDeadline.aborted,
    skip: (step) => skippedStep(scope, step, kindOf(step), input.signal.aborted ? "stopped" : "deadline"),
    run: (step, index) =>
      runStep(scope, workerOf(step), step, {
        index,
        // while the planner writes, the plan's length is the one it was asked for
        total: () => (planFinal ? planned.length : Math.max(planned.length, parser.limitSteps)),
        final: () => planFinal,
        stepsDeadline,
        budget: () => stepBudget(shape, opts.pace(), deadlineAt - reserveMs),
        resultOf: (id) => graph.result(id),
      }),
  });
  let planFinal = false;
  const admit = (steps: AnalysisStep[], final = false) => {
    const fresh: AnalysisStep[] = [];
    for (const step of steps) {
      // the first step waits for a second: a plan of one step is answered directly, never synthesized from itself
      if (planned.length === 0 && held === null) held = step;
      else {
        if (held) fresh.push(held);
        held = null;
        fresh.push(step);
      }
    }
    planFinal = final;
    if (fresh.length === 0 && !(final && planned.length >= 2)) return;
    planned.push(...fresh);
    scope.emit({ type: "run.plan", steps: planned.map(toPlanStep), final });
    for (const s of fresh) graph.add(s);
  };

  const release = () => {
    const first = held!;
    held = null;
    planned.push(first);
    scope.emit({ type: "run.plan", steps: planned.map(toPlanStep), final: false });
    graph.add(first);
  };

  // the planner: streamed, read as it arrives, stopped as soon as it has said enough (or is not writing a plan)
  const planner = new AbortController();
  let ended: "full" | "not_json" | "slow" | "deadline" | null = null;
  const stopPlanner = (why: NonNullable<typeof ended>) => {
    ended ??= why;
    planner.abort(why);
  };
  // the planner never writes into the time kept for the synthesis
  stepsDeadline.addEventListener("abort", () => stopPlanner("deadline"), { once: true });
  const rendered = analyticalPlanPrompt.render({
    task,
    minSteps: Math.min(settings.minSteps, shape.steps),
    maxSteps: shape.steps,
    kinds,
    documents: summaries,
  });
  const buildPlan = (base: ChatMessage[]): ChatMessage[] => [
    ...withSystemPrompt(base, rendered.system, scope.system),
    { role: "user", content: rendered.instruction! },
  ];
  const startedAt = nowMs();
  let firstAt: number | null = null;
  let chars = 0;
  let deltas = 0;
  let paced = false;
  let measured: Pace | null = null;
  const out = await scope.generate(buildPlan, {
    role: "plan",
    stepId: null,
    agent: "manager",
    budget: Math.ceil(shape.planTokens * 1.5) + 40,
    temperature: analyticalPlanPrompt.temperature,
    json: true,
    signal: planner.signal,
    onDelta: (t) => {
      firstAt ??= nowMs();
      chars += t.length;
      deltas += 1;
      // JSON tokens run shorter than prose's 4 characters, so the deltas count too: the text alone would make a model look slow
      const written = Math.max(1, tokensShown(deltas, chars));
      admit(assign(parser.push(t)));
      // a second step has begun: the plan has several parts, so the first one starts now
      if (held !== null && parser.begun >= 2) release();
      if (parser.state === "not_json") return stopPlanner("not_json");
      if (parser.full) return stopPlanner("full");
      const elapsed = nowMs() - firstAt;
      if (paced || written < PACE_CHECK_TOKENS || elapsed < PACE_CHECK_MS) return;
      paced = true;
      measured = { ttftMs: firstAt - startedAt, tokensPerSecond: decodeRate(written, elapsed) ?? 0 };
      const next = opts.reshape(measured);
      if (next.mode === "single") {
        if (planned.length === 0) stopPlanner("slow");
      } else if (next.steps < shape.steps || next.stepTokens < shape.stepTokens) {
        shape = { ...next, concurrency: shape.concurrency };
        const before = parser.limitSteps;
        parser.limit(Math.max(next.steps, planned.length + (held ? 1 : 0), 2));
        if (parser.limitSteps !== before) scope.progress("planning", `Planning up to ${parser.limitSteps} steps`);
        if (parser.full) stopPlanner("full");
      }
    },
  });

  const stopped = input.signal.aborted || scope.deadline.aborted;
  if (!stopped && out.finishReason === "error" && planned.length === 0) {
    graph.close();
    await graph.done;
    return failed(out, []);
  }
  // what the planner wrote last closes the plan; a first step held back alone is answered directly instead
  if (!stopped) admit(ended === null ? assign(parser.end()) : [], true);
  if (!stopped && planned.length === 0) {
    graph.close();
    await graph.done;
    const pace = measured ?? opts.pace();
    const why =
      ended === "slow"
        ? `the model writes about ${Math.round(pace.tokensPerSecond)} tokens/s, too slow to plan within ${Math.round(settings.deadlineMs / 1000)} s`
        : ended === "not_json" || parser.state === "not_json"
          ? "the model did not write a plan"
          : ended === "deadline"
            ? "planning took the time the steps had"
            : "the request needs only one step";
    return { direct: `Answering directly: ${why}` };
  }
  // a first step started when a second began, which then did not hold: the plan is that one step, already done
  if (!stopped && planned.length === 1) scope.emit({ type: "run.plan", steps: planned.map(toPlanStep), final: true });
  graph.close();
  const results = await graph.done;
  const steps = planned.map((s) => results.get(s.id)!);
  const plan = planned.map(toPlanStep);
  if (stopped || input.signal.aborted) return { ...empty(plan, steps), finishReason: finishOf("aborted", input.signal, scope.deadline) };

  // attached documents always reach the answer: through a researcher step's result, else the synthesis reads them itself
  const researched = steps.some((s) => s.record.agent === "researcher" && s.record.text.trim() !== "");
  const answer = await synthesize(scope, {
    task,
    steps,
    pace: opts.pace(),
    maxTokens: opts.synthesisMaxTokens,
    temperature: opts.synthesisTemperature,
    deadlineAt,
    documents: researched ? null : (opts.documents ?? null),
  });
  const reviewer = answer.finishReason === "stop" && !answer.error ? agents.pass(REVIEWER_AGENT) : null;
  const review = reviewer ? await runReview(scope, reviewer, { steps, draft: answer.text, pace: opts.pace(), mode: opts.review ?? "off" }) : null;
  return {
    plan,
    steps,
    text: answer.text,
    synthesisDeltas: answer.deltas,
    synthesisTokens: answer.completionTokens,
    finishReason: answer.finishReason,
    error: answer.error,
    complete: answer.finishReason === "stop" && steps.every((s) => s.record.status === "complete"),
    review,
  };
}

/** A step's budget when it starts: the plan's, or what the time until the synthesis leaves at the model's pace. */
function stepBudget(shape: PlanShape, pace: Pace, stepsEndAt: number): number {
  const leftMs = (stepsEndAt - Date.now()) * TIME_SAFETY - pace.ttftMs;
  const byTime = Math.floor((leftMs / 1000) * pace.tokensPerSecond);
  if (byTime < Math.min(shape.stepTokens, MIN_STEP_TOKENS / 2)) return 0;
  return Math.min(shape.stepTokens, byTime);
}

function empty(plan: PlanStep[], steps: StepOutcome[]): AnalyticalOutcome {
  return { plan, steps, text: "", synthesisDeltas: [], synthesisTokens: 0, finishReason: "stopped", error: null, complete: false, review: null };
}

function failed(out: { error: LlmError | null }, plan: PlanStep[]): AnalyticalOutcome {
  return { ...empty(plan, []), finishReason: "error", error: out.error };
}

export function isDirectAnswer(o: AnalyticalOutcome | DirectAnswer): o is DirectAnswer {
  return "direct" in o;
}
