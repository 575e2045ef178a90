import type { ChatModel } from "@alma/llm";
import { defaultSafetyMargin } from "@alma/memory";
import type { AgentRunInput, AgentRunResult } from "./agent-run.js";
import { defaultAgentRegistry, type AgentRegistry } from "./agent-registry.js";
import { cacheKey } from "./cache-key.js";
import { classifyInitial } from "./classify-task.js";
import { estimateMeasure } from "./estimate-measure.js";
import { ALMA_ATTR, GEN_AI, inAgentSpan, MANAGER_AGENT, markSpanFailed, modelAttributes } from "./gen-ai-telemetry.js";
import { runErrorOf } from "./finish-of.js";
import { managerAgentConfigSchema, type ManagerAgentConfig, type ManagerAgentSettings } from "./manager-agent-config.js";
import { ModelSpeedTracker, PRIOR_SPEED } from "./model-speed.js";
import { planRunShape, type RunShape } from "./plan-run-shape.js";
import { analyticalDirectPrompt } from "./prompts/analytical-direct-prompt.js";
import { refineClassification } from "./refine-classification.js";
import { replayCachedAnswer } from "./replay-cached-answer.js";
import { type AnswerCache, readCache, writeCache } from "./answer-cache.js";
import { routeTask, type RouteDecision } from "./route-task.js";
import { isDirectAnswer, runAnalytical, type Pace } from "./run-analytical.js";
import { contextError, directLabel, doneLabel } from "./run-labels.js";
import { RunDocuments } from "./run-documents.js";
import { documentsReserve } from "./request-documents.js";
import { RunScope } from "./run-scope.js";
import { runSingle } from "./run-single.js";
import { desiredTokens, taskParameters, type DesiredTokens } from "./task-parameters.js";
import { countOnePerDelta, type TokenCounter } from "./token-counter.js";
import { singleWorkerAgents, type StepAgents } from "./step-agents.js";
import { refersToDocuments } from "./step-kind-rules.js";
import type { Agent } from "./worker-agent.js";

export interface ManagerAgentOptions {
  model: ChatModel;
  cache?: AnswerCache | null;
  config?: ManagerAgentConfig;
}

/**
 * The Manager Agent: classifies each task, answers creative and conversational ones in one stream, plans
 * analytical ones and delegates the steps to workers, and answers repeated requests from the cache.
 * Created once per server; `run` is called per message and never throws for provider failures.
 */
export class ManagerAgent {
  readonly model: ChatModel;
  readonly cache: AnswerCache | null;
  readonly settings: ManagerAgentSettings;
  private readonly countTokens: TokenCounter;
  private readonly worker: Agent | null;
  readonly agents: AgentRegistry;
  private readonly random: (() => number) | undefined;
  private readonly today: () => string;
  readonly speed: ModelSpeedTracker;
  private readonly modelKey: string;
  private readonly prior: Pace;

  constructor({ model, cache = null, config = {} }: ManagerAgentOptions) {
    const { countTokens, worker, agents, random, today, speed, modelKey, priorPace, ...rest } = config;
    this.settings = managerAgentConfigSchema.parse(rest);
    if (this.settings.minSteps > this.settings.maxSteps) throw new Error("ManagerAgent config: minSteps must not exceed maxSteps");
    this.model = model;
    this.cache = cache;
    this.countTokens = countTokens ?? countOnePerDelta;
    this.random = random;
    this.today = today ?? (() => new Date().toISOString().slice(0, 10));
    this.worker = worker ?? null;
    this.agents = agents ?? defaultAgentRegistry();
    this.speed = speed ?? new ModelSpeedTracker();
    this.modelKey = modelKey ?? `${model.provider}:${model.model}`;
    this.prior = priorPace ?? PRIOR_SPEED;
  }

  /** the model's pace as measured on its recent runs, or the prior when it has not answered yet */
  pace(): Pace & { measured: boolean } {
    const s = this.speed.get(this.modelKey);
    return s ? { ttftMs: s.ttftMs, tokensPerSecond: s.tokensPerSecond, measured: true } : { ...this.prior, measured: false };
  }

  /** One run, traced as an `invoke_agent manager` span (a trace of its own) over its model requests and steps. */
  run(input: AgentRunInput): Promise<AgentRunResult> {
    const attributes = { [GEN_AI.conversationId]: input.conversationId, [ALMA_ATTR.messageId]: input.assistantMessageId, ...modelAttributes(this.model) };
    return inAgentSpan(
      MANAGER_AGENT,
      attributes,
      async (span) => {
        const result = await this.runTraced(input);
        span.setAttributes({
          [GEN_AI.usageInputTokens]: result.usage.promptTokens,
          [GEN_AI.usageOutputTokens]: result.usage.completionTokens,
          [GEN_AI.responseFinishReasons]: [result.finishReason],
          [ALMA_ATTR.finishReason]: result.finishReason,
          [ALMA_ATTR.taskType]: result.taskType,
          [ALMA_ATTR.cacheHit]: result.cacheHit,
        });
        if (result.error) markSpanFailed(span, result.error.code, result.error.message);
        return result;
      },
      { root: true },
    );
  }

  private async runTraced(input: AgentRunInput): Promise<AgentRunResult> {
    const { options } = input;
    const classifyStart = performance.now();
    const initial = classifyInitial(input.userText, options.taskType);
    input.emit({
      type: "run.started",
      conversationId: input.conversationId,
      userMessageId: input.userMessageId,
      assistantMessageId: input.assistantMessageId,
      taskType: initial.type,
      classification: initial,
      provider: this.model.provider,
      model: this.model.model,
    });
    input.emit({ type: "run.progress", phase: "classifying", label: "Classifying the task" });
    // the window is learned from the server while the task is classified, so neither waits for the other
    const [{ classification: refined, usage: classifyUsage }] = await Promise.all([
      refineClassification(this.model, this.cache, this.settings, input, initial),
      this.model.resolveContextWindow?.(input.signal).catch(() => null),
    ]);
    const documents = input.documents?.length ? new RunDocuments(input.documents) : null;
    // a question about the attached files is answered from them: planned, with a researcher step
    const asksDocuments =
      documents !== null && input.continueFrom === undefined && options.taskType === "auto" && refersToDocuments(input.userText, documents.names());
    const classification: typeof refined = asksDocuments && refined.type !== "analytical" ? { type: "analytical", source: "rules", confidence: 0.9 } : refined;
    const taskType = classification.type;
    input.emit({ type: "run.classified", taskType, classification, durationMs: Math.max(0, performance.now() - classifyStart) });

    const route: RouteDecision | null =
      taskType !== "analytical" || input.continueFrom !== undefined
        ? null
        : options.taskType === "analytical"
          ? { route: "plan", confidence: 1, reason: "the user asked for an analysis" }
          : asksDocuments
            ? { route: "plan", confidence: 0.9, reason: "a question about the attached documents" }
            : routeTask(input.userText);
    const measure = input.measure ?? estimateMeasure(this.model);
    const taskTokens = await measure.countText(input.userText);
    const desired = desiredTokens(taskType, options.maxOutputTokens, this.settings.stepMaxOutputTokens);
    const pace = this.pace();
    let shape = this.shape(input.receivedAt, measure.window().tokens, taskTokens, route, desired, pace);
    // an unmeasured model is not judged too slow on the prior: the planner's first tokens measure it and decide
    if (shape.mode === "single" && shape.reason === "slow" && !pace.measured) {
      const hopeful = this.shape(input.receivedAt, measure.window().tokens, taskTokens, route, desired, {
        ttftMs: this.prior.ttftMs * (OPTIMISTIC_PACE.ttftMs / PRIOR_SPEED.ttftMs),
        tokensPerSecond: this.prior.tokensPerSecond * (OPTIMISTIC_PACE.tokensPerSecond / PRIOR_SPEED.tokensPerSecond),
      });
      if (hopeful.mode === "plan") shape = hopeful;
    }
    const params = taskParameters(taskType, shape, { temperature: options.temperature, today: this.today(), workerName: this.workerTag() });
    // a one-pass answer reads the attached documents in its own request: the context leaves room for them too
    const reserve = shape.reserve + (documents && shape.mode === "single" ? documentsReserve(documents, measure.window().tokens) : 0);
    const scope = new RunScope({ ...input, measure }, this.model, this.settings, this.countTokens, this.retryPolicy(), params.system, reserve, (sample) =>
      this.speed.record(this.modelKey, sample),
    );
    if (classifyUsage) scope.addUsage(classifyUsage);
    const base = { taskType, classification, cacheHit: false };
    try {
      scope.progress("recalling_memory", "Recalling the conversation");
      try {
        await scope.buildContext();
      } catch (e) {
        return { ...base, finishReason: "error", text: "", steps: null, usage: scope.usage(), error: contextError(e) };
      }
      input.meter.requestBuilt();

      // an answer from attached documents depends on them, which the cache key does not hold
      const cacheAllowed =
        this.cache !== null && documents === null && input.continueFrom === undefined && (taskType !== "creative" || options.useCacheForCreative);
      const key = cacheAllowed
        ? cacheKey({
            provider: this.model.provider,
            model: this.model.model,
            templateVersion: params.templateVersion,
            temperature: params.temperature,
            maxOutputTokens: options.maxOutputTokens ?? 0,
            taskType,
            messages: scope.messages,
          })
        : null;
      if (key && !options.bypassCache) {
        const hit = await readCache(() => this.cache!.get(key));
        if (hit && hit.taskType === taskType) {
          const replayed = replayCachedAnswer(input.emit, hit);
          scope.progress("done", "Done");
          return {
            ...base,
            cacheHit: true,
            finishReason: "stop",
            text: replayed.text,
            steps: replayed.steps,
            usage: { promptTokens: 0, completionTokens: hit.completionTokens, reported: false },
            error: null,
          };
        }
      }

      let single: { maxTokens: number; label: string | undefined; system?: string } = {
        maxTokens: shape.mode === "single" ? shape.maxTokens : desired.single,
        label: shape.mode === "single" && taskType === "analytical" ? directLabel(shape, this.pace(), this.settings.deadlineMs) : undefined,
      };
      if (shape.mode === "plan") {
        const out = await runAnalytical(scope, {
          agents: this.stepAgents(documents, scope.window()),
          documents,
          review: this.settings.review,
          shape,
          synthesisTemperature: params.temperature,
          synthesisMaxTokens: desired.synthesis,
          pace: () => this.pace(),
          reshape: (pace) => this.shape(input.receivedAt, scope.window(), taskTokens, route, desired, pace),
        });
        if (isDirectAnswer(out)) {
          // the context was built for the plan: the direct answer swaps in its own system prompt and budget
          const again = this.shape(input.receivedAt, scope.window(), taskTokens, { route: "single", confidence: 1, reason: out.direct }, desired, this.pace());
          const maxTokens = again.mode === "single" ? again.maxTokens : desired.single;
          single = { maxTokens, label: out.direct, system: analyticalDirectPrompt.render({ today: this.today(), budget: maxTokens }).system };
        } else {
          if (key && out.complete) {
            writeCache(() =>
              this.cache!.set(key, {
                kind: "analytical",
                taskType: "analytical",
                classification,
                plan: out.plan,
                steps: out.steps.map((s) => ({ id: s.record.id, deltas: s.deltas, completionTokens: s.completionTokens })),
                synthesis: out.synthesisDeltas,
                completionTokens: out.synthesisTokens,
              }),
            );
          }
          if (!out.error) scope.progress("done", doneLabel(out.finishReason));
          return {
            ...base,
            finishReason: out.finishReason,
            text: out.text,
            steps: out.plan.length > 0 ? [...out.steps.map((s) => s.record), ...(out.review ? [out.review.record] : [])] : null,
            usage: scope.usage(),
            error: out.error ? runErrorOf(out.error) : null,
          };
        }
      }

      const answered = await runSingle(scope, {
        documents,
        temperature: params.temperature,
        maxOutputTokens: single.maxTokens,
        continueFrom: input.continueFrom,
        ...(single.system ? { system: single.system } : {}),
        ...(single.label ? { label: single.label } : {}),
      });
      if (key && answered.finishReason === "stop") {
        writeCache(() =>
          this.cache!.set(key, {
            kind: "single",
            taskType,
            classification,
            deltas: answered.outcome.deltas,
            completionTokens: answered.outcome.completionTokens,
          }),
        );
      }
      if (!answered.outcome.error) scope.progress("done", doneLabel(answered.finishReason));
      return {
        ...base,
        finishReason: answered.finishReason,
        text: answered.text,
        steps: null,
        usage: scope.usage(),
        error: answered.outcome.error ? runErrorOf(answered.outcome.error) : null,
      };
    } finally {
      scope.dispose();
    }
  }

  /** the workers of one run: the configured one for every step, else the registry's kinds with the run's documents */
  private stepAgents(documents: RunDocuments | null, window: number): StepAgents {
    return this.worker ? singleWorkerAgents(this.worker) : this.agents.forRun({ documents, window });
  }

  /** what the cache key says of the workers: the one worker, or every kind's template version */
  private workerTag(): string {
    return this.worker
      ? this.worker.name
      : this.agents
          .all()
          .map((k) => `${k.name}@${k.prompt.version}`)
          .join(",");
  }

  /** Sizes the run for the model's pace and window (see planRunShape). */
  private shape(receivedAt: number, window: number, taskTokens: number, route: RouteDecision | null, desired: DesiredTokens, pace: Pace): RunShape {
    const s = this.settings;
    return planRunShape({
      remainingMs: receivedAt + s.deadlineMs - Date.now(),
      speed: pace,
      window,
      margin: defaultSafetyMargin(window),
      taskTokens,
      desired,
      minSteps: s.minSteps,
      maxSteps: s.maxSteps,
      concurrency: Math.min(s.maxConcurrentSteps, this.model.parallelism ?? s.maxConcurrentSteps),
      plan: route?.route === "plan",
      timeBound: route !== null,
    });
  }

  private retryPolicy() {
    return { maxRetries: this.settings.maxRetries, baseMs: this.settings.retryBaseMs, maxMs: this.settings.retryMaxMs, random: this.random };
  }
}

/** the pace a planner is started with when nothing is known and the prior says no plan fits */
const OPTIMISTIC_PACE: Pace = { ttftMs: 300, tokensPerSecond: 100 };
