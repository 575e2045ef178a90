import type { ChatMessage, ChatModel, ModelTool } from "@alma/llm";
import { defaultSafetyMargin } from "@alma/memory";
import type { ContextStats, ContextWindowInfo, FinishReason, ProgressPhase, RequestRole } from "@alma/protocol";
import type { AgentRunInput, RequestMeasure } from "./agent-run.js";
import { deadlineNote, finishOf } from "./finish-of.js";
import { estimateMeasure } from "./estimate-measure.js";
import { estimatePromptTokens } from "./estimate-prompt-tokens.js";
import { ModelRequest } from "./gen-ai-telemetry.js";
import { generateWithRetry, type RetryPolicy } from "./generate-with-retry.js";
import type { ManagerAgentSettings } from "./manager-agent-config.js";
import type { SpeedSample } from "./model-speed.js";
import { notFittingOutcome } from "./not-fitting-outcome.js";
import { MIN_CONTEXT_SHARE, outputRoom } from "./plan-run-shape.js";
import { requestMetrics, speedSample } from "./request-metrics.js";
import type { GenerationOutcome } from "./stream-generation.js";
import type { TokenCounter } from "./token-counter.js";

export type AgentEvent = Parameters<AgentRunInput["emit"]>[0];

/** What one model request is for and what it may spend. */
export interface RequestSpec {
  role: RequestRole;
  stepId: string | null;
  agent: string;
  /** the output budget the role was given; the request gets less when the window leaves less */
  budget: number;
  /** below this room the conversation is trimmed further first, so a useful answer still fits */
  minTokens?: number;
  temperature: number;
  json?: boolean;
  onDelta?: (text: string) => void;
  /** ends this request early (a step's own budget or deadline, a planner no longer needed); stop and the run's deadline always apply */
  signal?: AbortSignal;
  /** stop cleanly once this many tokens were counted (defaults to the request's max_tokens) */
  countBudget?: number;
  /** functions offered through the model's function calling (a tool-using worker's round) */
  tools?: ModelTool[];
}

/**
 * One run's shared state: its context, usage totals, deadline signals, the window every request is fitted to, and
 * the helpers every phase emits through. Every model request of the run goes through `generate`, so each is counted
 * before it is sent, measured when it ends, and rebuilt once inside the window a refusal states.
 */
export class RunScope {
  messages: ChatMessage[] = [];
  stats: ContextStats | null = null;
  promptTokens = 0;
  completionTokens = 0;
  allReported = true;
  retries = 0;
  /** what the conversation context leaves free in the window for the roles' instructions and answers */
  reserve: number;
  readonly measure: RequestMeasure;
  private upstreamMarked = false;
  private shrunk: Promise<ChatMessage[] | null> | null = null;
  /** a smaller window a refusal stated, when the model did not learn it itself */
  private learnedWindow: number | null = null;
  private relearning: { limit: number; done: Promise<boolean> } | null = null;
  private growing: Promise<void> | null = null;
  /** aborts at the run's deadline */
  readonly deadline: AbortSignal;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    readonly input: AgentRunInput,
    readonly model: ChatModel,
    readonly settings: ManagerAgentSettings,
    readonly countTokens: TokenCounter,
    readonly retry: RetryPolicy,
    /** the system prompt the context is built with */
    readonly system: string,
    reserve: number,
    private readonly onSample: (sample: SpeedSample) => void = () => {},
  ) {
    this.reserve = reserve;
    this.measure = input.measure ?? estimateMeasure(model);
    this.deadline = this.signalAt(input.receivedAt + settings.deadlineMs, "deadline");
  }

  /** the window every request must fit, with where it came from */
  windowInfo(): ContextWindowInfo {
    const info = this.measure.window();
    if (this.learnedWindow !== null && this.learnedWindow < info.tokens) {
      return {
        ...info,
        tokens: this.learnedWindow,
        source: "error",
        detail: `the server refused a longer request: its window is ${this.learnedWindow} tokens`,
      };
    }
    return info;
  }

  window(): number {
    return this.windowInfo().tokens;
  }

  margin(): number {
    return defaultSafetyMargin(this.window());
  }

  /** ms left until the run's deadline */
  remainingMs(): number {
    return this.input.receivedAt + this.settings.deadlineMs - Date.now();
  }

  /** a signal that aborts at the given epoch ms; timers are cleared when the run ends */
  signalAt(at: number, reason: string): AbortSignal {
    const ctrl = new AbortController();
    const t = setTimeout(() => ctrl.abort(reason), Math.max(0, at - Date.now()));
    this.timers.push(t);
    return ctrl.signal;
  }

  emit(event: AgentEvent): void {
    this.input.emit(event);
  }

  progress(phase: ProgressPhase, label: string, extra: { step?: { id: string; index: number; total: number }; attempt?: number } = {}): void {
    this.emit({ type: "run.progress", phase, label, ...extra });
  }

  token(text: string, agent: string, stepId: string | null): void {
    this.emit({ type: "run.token", text, agent, stepId });
  }

  /** (Re)builds the conversation context inside the current window, leaving `reserve` free. */
  async buildContext(shrink?: number): Promise<void> {
    const window = this.windowInfo();
    // the reserve never takes the share the conversation keeps, whatever the window turned out to be
    const avail = window.tokens - defaultSafetyMargin(window.tokens);
    const outputBudget = Math.max(0, Math.min(this.reserve, Math.floor(avail * (1 - MIN_CONTEXT_SHARE))));
    const built = await this.input.buildContext({
      system: this.system,
      outputBudget,
      contextWindow: window.tokens,
      ...(shrink ? { shrink } : {}),
    });
    this.messages = built.messages;
    const stats = { ...built.stats, windowSource: built.stats.windowSource ?? window.source };
    this.stats = shrink ? { ...stats, retrimmed: true } : stats;
    this.emit({ type: "run.context", context: this.stats });
  }

  /** after a context-length refusal that stated no window: re-trim once with a smaller budget; later calls share it */
  shrink(): Promise<ChatMessage[] | null> {
    this.shrunk ??= (async () => {
      this.progress("retrying", "The model refused the request as too long; trimming the conversation further and retrying");
      try {
        await this.buildContext(1);
        return this.messages;
      } catch {
        return null;
      }
    })();
    return this.shrunk;
  }

  /**
   * After a refusal that named a window smaller than the one the request was fitted to: remember it and rebuild the
   * context inside it. Steps refused at once share one rebuild.
   */
  private relearn(limit: number, fittedTo: number): Promise<boolean> {
    if (limit >= fittedTo) return Promise.resolve(false);
    if (this.relearning?.limit === limit) return this.relearning.done;
    this.learnedWindow = Math.min(limit, this.learnedWindow ?? limit);
    this.progress("retrying", `The model's window is ${limit.toLocaleString("en-US")} tokens; fitting the conversation into it and retrying`);
    const done = this.buildContext().then(
      () => true,
      () => false,
    );
    this.relearning = { limit, done };
    return done;
  }

  /** Makes `extra` more room in the window for answers; parallel requests short of room share one rebuild. */
  private grow(extra: number): Promise<void> {
    this.growing ??= (async () => {
      this.reserve += extra;
      await this.buildContext();
    })().finally(() => {
      this.growing = null;
    });
    return this.growing;
  }

  onRequest = (): void => {
    if (this.upstreamMarked) return;
    this.upstreamMarked = true;
    this.input.meter.upstreamStarted();
  };

  onRetry = (info: { attempt: number; delayMs: number; reason: string }): void => {
    this.retries++;
    this.input.meter.retried();
    this.progress("retrying", `${info.reason} Retrying in ${(info.delayMs / 1000).toFixed(1)} s (attempt ${info.attempt} of ${this.retry.maxRetries}).`, {
      attempt: info.attempt,
    });
  };

  /**
   * The request `build` makes over the run's context, with its max_tokens: what the window leaves after the
   * counted prompt, at most the role's budget. When that leaves less than `minTokens`, the conversation is trimmed
   * further first.
   */
  async fit(
    build: (context: ChatMessage[]) => ChatMessage[],
    budget: number,
    minTokens = Math.min(budget, 64),
  ): Promise<{ messages: ChatMessage[]; maxOutputTokens: number; promptTokens: number }> {
    let messages = build(this.messages);
    let promptTokens = await this.measure.countRequest(messages);
    let room = outputRoom({ window: this.window(), margin: this.margin(), promptTokens, budget });
    if (room < minTokens && this.stats && this.stats.messagesIn > 1) {
      if (this.growing) await this.growing;
      else await this.grow(minTokens - room);
      messages = build(this.messages);
      promptTokens = await this.measure.countRequest(messages);
      room = outputRoom({ window: this.window(), margin: this.margin(), promptTokens, budget });
    }
    return { messages, maxOutputTokens: room, promptTokens };
  }

  /**
   * One model request of the run over its context: fitted to the window, bounded by stop and the deadline, retried
   * for outages, rebuilt once after a refusal for length, measured (request metrics and the model's speed) and
   * added to the run's usage.
   */
  async generate(build: (context: ChatMessage[]) => ChatMessage[], spec: RequestSpec): Promise<GenerationOutcome> {
    const request = new ModelRequest(this.input, this.model, {
      role: spec.role,
      stepId: spec.stepId,
      agent: spec.agent,
      temperature: spec.temperature,
      json: spec.json ?? false,
    });
    let out: GenerationOutcome;
    try {
      const minTokens = spec.minTokens ?? Math.min(spec.budget, 64);
      let fitted = await this.fit(build, spec.budget, minTokens);
      let fittedTo = this.window();
      if (fitted.maxOutputTokens < 1) {
        out = notFittingOutcome(fitted.promptTokens, this.window());
      } else {
        const signals = [this.input.signal, this.deadline, ...(spec.signal ? [spec.signal] : [])];
        out = await generateWithRetry(this.model, fitted.messages, {
          maxOutputTokens: fitted.maxOutputTokens,
          temperature: spec.temperature,
          json: spec.json,
          ...(spec.tools?.length ? { tools: spec.tools } : {}),
          onDelta: spec.onDelta,
          ...(spec.countBudget !== undefined ? { budget: spec.countBudget } : {}),
          signal: AbortSignal.any(signals),
          countTokens: this.countTokens,
          countPrompt: () => fitted.promptTokens,
          retry: this.retry,
          onRetry: (info) => {
            request.retried(info.reason, info.delayMs);
            this.onRetry(info);
          },
          onRequest: this.onRequest,
          onContextLength: async (err) => {
            // the model may have learned the limit already; what counts is the window this request was fitted to
            const relearned = err.contextLimit !== null && (await this.relearn(err.contextLimit, fittedTo));
            if (!relearned && !(await this.shrink())) return null;
            this.retries++;
            this.input.meter.retried();
            request.retried(err.message);
            fitted = await this.fit(build, spec.budget, minTokens);
            fittedTo = this.window();
            return fitted.maxOutputTokens >= 1 ? { messages: fitted.messages, maxOutputTokens: fitted.maxOutputTokens } : null;
          },
        });
      }
    } catch (err) {
      request.fail(err);
      throw err;
    }
    this.addUsage(out);
    this.record(spec, out, request);
    return out;
  }

  private record(spec: RequestSpec, out: GenerationOutcome, request: ModelRequest): void {
    request.end(requestMetrics(spec, out, this.input.receivedAt), {
      finishReason: out.finishReason,
      error: out.error ? { code: out.error.code, message: out.error.message } : null,
      responseModel: out.responseModel,
    });
    const sample = speedSample(out);
    if (sample) this.onSample(sample);
  }

  /**
   * The size of a request over the run's context when the provider did not report it: memory's exact count of
   * the context plus an estimate of what was added around it.
   */
  promptTokensOf(sent: ChatMessage[]): number {
    if (!this.stats) return estimatePromptTokens(sent);
    const added = estimatePromptTokens(sent) - estimatePromptTokens(this.messages);
    return this.stats.promptTokens + Math.max(0, added);
  }

  /** the run's finish reason for the manager's answer; an answer cut by the deadline says so in its text */
  endAnswer(out: GenerationOutcome): { finishReason: FinishReason; text: string } {
    const finishReason = finishOf(out.finishReason, this.input.signal, this.deadline);
    if (finishReason !== "deadline") return { finishReason, text: out.text };
    const note = deadlineNote(this.settings.deadlineMs);
    this.token(note, "manager", null);
    return { finishReason, text: out.text + note };
  }

  addUsage(u: Pick<GenerationOutcome, "promptTokens" | "completionTokens" | "reported">): void {
    this.promptTokens += u.promptTokens;
    this.completionTokens += u.completionTokens;
    if (!u.reported) this.allReported = false;
  }

  usage() {
    return { promptTokens: this.promptTokens, completionTokens: this.completionTokens, reported: this.allReported && this.promptTokens > 0 };
  }

  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
  }
}
