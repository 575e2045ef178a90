import { createHash } from "node:crypto";
import type { ChatModel } from "@alma/llm";
import { errorCodeSchema, type Classification, type FinishReason, type TaskType } from "@alma/protocol";
import type { AgentRunInput, AgentRunResult } from "./agent-run.js";
import { AnalystAgent } from "./analyst-agent.js";
import { cacheKey } from "./cache-key.js";
import { classifyInitial, isAmbiguous } from "./classify-task.js";
import { classifyWithModel } from "./classify-with-model.js";
import { runErrorOf } from "./finish-of.js";
import { managerAgentConfigSchema, type ManagerAgentConfig, type ManagerAgentSettings } from "./manager-agent-config.js";
import { analyticalPlanPrompt } from "./prompts/analytical-plan-prompt.js";
import { analyticalStepPrompt } from "./prompts/analytical-step-prompt.js";
import { analyticalSynthesisPrompt } from "./prompts/analytical-synthesis-prompt.js";
import { conversationalPrompt } from "./prompts/conversational-prompt.js";
import { creativePrompt } from "./prompts/creative-prompt.js";
import { PROMPT_VERSION, templateVersionTag } from "./prompts/prompt-template.js";
import { replayCachedAnswer } from "./replay-cached-answer.js";
import type { ResponseCache } from "./response-cache.js";
import { runAnalytical } from "./run-analytical.js";
import { RunScope } from "./run-scope.js";
import { runSingle } from "./run-single.js";
import { countOnePerDelta, type TokenCounter } from "./token-counter.js";
import type { Agent } from "./worker-agent.js";

export interface ManagerAgentOptions {
  model: ChatModel;
  cache?: ResponseCache | null;
  config?: ManagerAgentConfig;
}

/**
 * The Manager Agent: classifies each task, answers creative and conversational ones in one stream, plans
 * analytical ones and delegates the steps to workers, and answers repeated requests from the cache.
 * Created once per server; `run` is called per message and never throws for provider failures.
 */
export class ManagerAgent {
  readonly model: ChatModel;
  readonly cache: ResponseCache | null;
  readonly settings: ManagerAgentSettings;
  private readonly countTokens: TokenCounter;
  private readonly worker: Agent;
  private readonly random: (() => number) | undefined;
  private readonly today: () => string;

  constructor({ model, cache = null, config = {} }: ManagerAgentOptions) {
    const { countTokens, worker, random, today, ...rest } = config;
    this.settings = managerAgentConfigSchema.parse(rest);
    if (this.settings.minSteps > this.settings.maxSteps) throw new Error("ManagerAgent config: minSteps must not exceed maxSteps");
    this.model = model;
    this.cache = cache;
    this.countTokens = countTokens ?? countOnePerDelta;
    this.random = random;
    this.today = today ?? (() => new Date().toISOString().slice(0, 10));
    this.worker = worker ?? new AnalystAgent({ model, retry: this.retryPolicy(), countTokens: this.countTokens });
  }

  async run(input: AgentRunInput): Promise<AgentRunResult> {
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
    const { classification, usage: classifyUsage } = await this.refineClassification(input, initial);
    const taskType = classification.type;
    input.emit({ type: "run.classified", taskType, classification, durationMs: Math.max(0, performance.now() - classifyStart) });

    const params = this.parametersFor(taskType, input);
    const scope = new RunScope(input, this.model, this.settings, this.countTokens, this.retryPolicy(), params.system, params.outputBudget);
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

      const cacheAllowed = this.cache !== null && input.continueFrom === undefined && (taskType !== "creative" || options.useCacheForCreative);
      const key = cacheAllowed
        ? cacheKey({
            provider: this.model.provider,
            model: this.model.model,
            templateVersion: params.templateVersion,
            temperature: params.temperature,
            maxOutputTokens: params.maxOutputTokens,
            taskType,
            messages: scope.messages,
          })
        : null;
      if (key && !options.bypassCache) {
        const hit = this.cache!.get(key);
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

      if (taskType === "analytical" && input.continueFrom === undefined) {
        const out = await runAnalytical(scope, {
          worker: this.worker,
          synthesisTemperature: params.temperature,
          synthesisMaxTokens: params.maxOutputTokens,
        });
        if (key && out.complete && out.plan) {
          this.cache!.set(key, {
            kind: "analytical",
            taskType: "analytical",
            classification,
            plan: out.plan,
            steps: out.steps.map((s) => ({ id: s.record.id, deltas: s.deltas, completionTokens: s.completionTokens })),
            synthesis: out.synthesisDeltas,
            completionTokens: out.synthesisTokens,
          });
        }
        if (!out.error) scope.progress("done", doneLabel(out.finishReason));
        return {
          ...base,
          finishReason: out.finishReason,
          text: out.text,
          steps: out.plan ? out.steps.map((s) => s.record) : null,
          usage: scope.usage(),
          error: out.error ? runErrorOf(out.error) : null,
        };
      }

      const single = await runSingle(scope, {
        temperature: params.temperature,
        maxOutputTokens: params.maxOutputTokens,
        continueFrom: input.continueFrom,
      });
      if (key && single.finishReason === "stop") {
        this.cache!.set(key, {
          kind: "single",
          taskType,
          classification,
          deltas: single.outcome.deltas,
          completionTokens: single.outcome.completionTokens,
        });
      }
      if (!single.outcome.error) scope.progress("done", doneLabel(single.finishReason));
      return {
        ...base,
        finishReason: single.finishReason,
        text: single.text,
        steps: null,
        usage: scope.usage(),
        error: single.outcome.error ? runErrorOf(single.outcome.error) : null,
      };
    } finally {
      scope.dispose();
    }
  }

  private retryPolicy() {
    return { maxRetries: this.settings.maxRetries, baseMs: this.settings.retryBaseMs, maxMs: this.settings.retryMaxMs, random: this.random };
  }

  /** ambiguous rule decisions go to the model (remembered per message text when a cache is present) */
  private async refineClassification(
    input: AgentRunInput,
    initial: Classification,
  ): Promise<{ classification: Classification; usage: { promptTokens: number; completionTokens: number; reported: boolean } | null }> {
    const rulesOnly = { classification: initial, usage: null };
    if (!isAmbiguous(initial, this.settings.ambiguousBelow)) return rulesOnly;
    const memoKey = createHash("sha256")
      .update(`classify\u0000${PROMPT_VERSION}\u0000${this.model.provider}\u0000${this.model.model}\u0000${input.userText}`)
      .digest("hex");
    const remembered = this.cache?.getClassification(memoKey);
    if (remembered) return { classification: remembered, usage: null };
    const r = await classifyWithModel(this.model, input.userText, { timeoutMs: this.settings.classifyTimeoutMs, signal: input.signal });
    if (!r.ok) return rulesOnly;
    const decided: Classification = { type: r.classification.type, source: "model", confidence: r.classification.confidence };
    this.cache?.setClassification(memoKey, decided);
    return { classification: decided, usage: { promptTokens: r.promptTokens, completionTokens: r.completionTokens, reported: r.promptTokens > 0 } };
  }

  private parametersFor(taskType: TaskType, input: AgentRunInput) {
    const { options } = input;
    const today = this.today();
    if (taskType === "analytical") {
      const maxOutputTokens = options.maxOutputTokens ?? analyticalSynthesisPrompt.maxOutputTokens;
      return {
        // the context is built once, with the planner's system prompt; each role swaps in its own
        system: analyticalPlanPrompt.render({ task: "", minSteps: 1, maxSteps: 1 }).system,
        outputBudget: maxOutputTokens + this.settings.analyticalReserveTokens,
        temperature: options.temperature ?? analyticalSynthesisPrompt.temperature,
        maxOutputTokens,
        templateVersion: [analyticalPlanPrompt, analyticalStepPrompt, analyticalSynthesisPrompt]
          .map(templateVersionTag)
          .concat(`steps ${this.settings.minSteps}-${this.settings.maxSteps} budget ${this.settings.stepMaxOutputTokens} worker ${this.worker.name}`)
          .join(" "),
      };
    }
    const template = taskType === "creative" ? creativePrompt : conversationalPrompt;
    const maxOutputTokens = options.maxOutputTokens ?? template.maxOutputTokens;
    return {
      system: template.render({ today }).system,
      outputBudget: maxOutputTokens,
      temperature: options.temperature ?? template.temperature,
      maxOutputTokens,
      templateVersion: templateVersionTag(template),
    };
  }
}

function doneLabel(finish: FinishReason): string {
  const labels: Partial<Record<FinishReason, string>> = {
    stopped: "Stopped",
    deadline: "Cut at the run's deadline",
    length: "Stopped at the output budget",
    content_filter: "Stopped by the provider's content filter",
  };
  return labels[finish] ?? "Done";
}

/** buildContext failures (a message too long for the model, say) carry their own code when memory gives one. */
function contextError(e: unknown): NonNullable<AgentRunResult["error"]> {
  const code = errorCodeSchema.safeParse((e as { code?: unknown } | null)?.code);
  const message = e instanceof Error ? e.message : String(e);
  return {
    code: code.success ? code.data : "internal",
    message: code.success ? message : `The conversation could not be prepared for the model: ${message}. Try again; if it persists, start a new conversation.`,
    retryable: false,
  };
}
