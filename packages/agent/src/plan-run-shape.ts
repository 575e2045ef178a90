/**
 * Sizes a run before it starts, from the model's pace and its window: plan or answer in one pass, how many steps,
 * how many at once, and each request's output budget, so the critical path (plan → steps → synthesis) ends inside
 * the deadline and every request fits the window. Pure: the Manager Agent calls it again as its speed estimate
 * sharpens (the planner's own stream measures the model within a second).
 */

export interface RunShapeInput {
  /** ms left until the run's deadline */
  remainingMs: number;
  speed: { ttftMs: number; tokensPerSecond: number };
  /** the model's context window and the margin kept free in it */
  window: number;
  margin: number;
  /** tokens of the user's request; it appears in every role's instruction */
  taskTokens: number;
  /** what each role would get with time and room to spare */
  desired: { step: number; synthesis: number; single: number };
  minSteps: number;
  maxSteps: number;
  /** how many steps may run at once (the setting, and what the model can serve in parallel) */
  concurrency: number;
  /** the route asks for a plan; false: one pass */
  plan: boolean;
  /** size a one-pass answer by the time left too (analytical answers); creative and chat answers keep their budget */
  timeBound?: boolean;
}

export interface PlanShape {
  mode: "plan";
  steps: number;
  concurrency: number;
  planTokens: number;
  stepTokens: number;
  synthesisTokens: number;
  /** what the conversation context must leave free in the window (memory's output budget) */
  reserve: number;
  /** the critical path's estimate with every request at its cap */
  estimatedMs: number;
}

export interface SingleShape {
  mode: "single";
  maxTokens: number;
  reserve: number;
  /** route: the question has one answer; slow: no plan fits the deadline at this pace; window: no plan fits the window */
  reason: "route" | "slow" | "window";
  estimatedMs: number;
}

export type RunShape = PlanShape | SingleShape;

/** the share of the time left that the estimate may fill: speeds vary, the deadline is the last guard */
export const TIME_SAFETY = 0.85;
/** below these budgets a step or a synthesis says too little to be worth its request */
export const MIN_STEP_TOKENS = 80;
export const MIN_SYNTHESIS_TOKENS = 150;
/** the conversation keeps at least this share of the window in a planned run */
export const MIN_CONTEXT_SHARE = 0.3;
/** a one-pass answer leaves at least this share of the window to the conversation */
export const MIN_SINGLE_CONTEXT_SHARE = 0.35;
/** the smallest answer worth asking for when time or room is short */
export const MIN_ANSWER_TOKENS = 32;

/** Tokens a compact plan of `steps` steps takes to write (short titles, one-sentence instructions). */
export function planTokensFor(steps: number): number {
  return 12 + 42 * steps;
}

/** What the role instructions and the request add around the conversation in the largest request (the synthesis). */
export function overheadTokensFor(taskTokens: number, steps: number): number {
  return 160 + 2 * taskTokens + 24 * steps;
}

export function planRunShape(input: RunShapeInput): RunShape {
  const rate = Math.max(0.1, input.speed.tokensPerSecond);
  const t0 = Math.max(0, input.speed.ttftMs);
  const usableMs = Math.max(0, input.remainingMs * TIME_SAFETY);
  const avail = Math.max(1, input.window - input.margin);
  const single = (reason: SingleShape["reason"]): SingleShape => {
    const byTime = input.timeBound === false ? Infinity : Math.floor(((usableMs - t0) / 1000) * rate);
    const byWindow = Math.floor(avail * (1 - MIN_SINGLE_CONTEXT_SHARE)) - 2 * input.taskTokens;
    // the request itself may take more than the reserve when its prompt leaves room (see outputRoom)
    const maxTokens = Math.min(input.desired.single, Math.max(MIN_ANSWER_TOKENS, byTime));
    const reserve = Math.min(maxTokens, Math.max(MIN_ANSWER_TOKENS, byWindow));
    return { mode: "single", maxTokens, reserve, reason, estimatedMs: t0 + (Math.min(maxTokens, reserve) / rate) * 1000 };
  };
  if (!input.plan || input.maxSteps < 2) return single("route");

  const concurrencyCap = Math.max(1, input.concurrency);
  const candidates: PlanShape[] = [];
  let windowBound = false;
  for (let k = Math.min(input.maxSteps, 10); k >= Math.max(2, input.minSteps); k--) {
    const concurrency = Math.min(concurrencyCap, k);
    const waves = Math.ceil(k / concurrency);
    const planTokens = planTokensFor(k);
    const planMs = t0 + (planTokens / rate) * 1000;
    // plan end, then each wave's first token, then the synthesis's first token
    const decodeMs = usableMs - planMs - t0 * (waves + 1);
    const tokens = Math.floor((decodeMs / 1000) * rate);
    if (tokens <= 0) continue;
    let step = Math.min(input.desired.step, Math.floor((tokens * 0.55) / waves));
    let synthesis = Math.min(input.desired.synthesis, tokens - waves * step);
    // the window: results of every step, the synthesis and the instructions must leave the conversation its share
    const overhead = overheadTokensFor(input.taskTokens, k);
    const room = Math.floor(avail * (1 - MIN_CONTEXT_SHARE)) - overhead;
    if (k * step + synthesis > room) {
      windowBound = true;
      const f = Math.max(0, room) / (k * step + synthesis);
      step = Math.floor(step * f);
      synthesis = Math.floor(synthesis * f);
    }
    // a caller's own smaller budgets are honoured as they are
    if (step < Math.min(MIN_STEP_TOKENS, input.desired.step) || synthesis < Math.min(MIN_SYNTHESIS_TOKENS, input.desired.synthesis)) continue;
    const estimatedMs = planMs + waves * (t0 + (step / rate) * 1000) + t0 + (synthesis / rate) * 1000;
    candidates.push({
      mode: "plan",
      steps: k,
      concurrency,
      planTokens,
      stepTokens: step,
      synthesisTokens: synthesis,
      reserve: Math.min(Math.floor(avail * (1 - MIN_CONTEXT_SHARE)), overhead + k * step + synthesis),
      estimatedMs,
    });
  }
  if (candidates.length === 0) return single(windowBound ? "window" : "slow");
  // the most steps that still give each one most of its desired room; else the roomiest steps
  const generous = candidates.find((c) => c.stepTokens >= 0.6 * input.desired.step);
  return generous ?? candidates.reduce((best, c) => (c.stepTokens > best.stepTokens ? c : best));
}

/**
 * A request's output budget once its prompt is counted: what the window leaves after the prompt and the margin,
 * never more than the role's budget and never negative.
 */
export function outputRoom(args: { window: number; margin: number; promptTokens: number; budget: number }): number {
  return Math.max(0, Math.min(args.budget, args.window - args.margin - args.promptTokens));
}

/** Words to ask for so an answer ends on its own inside `tokens` (about 1.3 tokens a word, with slack). */
export function wordsFor(tokens: number): number {
  return Math.max(10, Math.floor(tokens * 0.6));
}
