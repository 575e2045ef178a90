import type { ChatMessage, ChatModel } from "@alma/llm";
import type { ContextStats, FinishReason, ProgressPhase } from "@alma/protocol";
import type { AgentRunInput } from "./agent-run.js";
import { deadlineNote, finishOf } from "./finish-of.js";
import type { GenerationOutcome } from "./stream-generation.js";
import { estimatePromptTokens } from "./estimate-prompt-tokens.js";
import { generateWithRetry, type RetryPolicy } from "./generate-with-retry.js";
import type { ManagerAgentSettings } from "./manager-agent-config.js";
import type { TokenCounter } from "./token-counter.js";

export type AgentEvent = Parameters<AgentRunInput["emit"]>[0];

/** One run's shared state: its context, usage totals, deadline signals and the helpers every phase emits through. */
export class RunScope {
  messages: ChatMessage[] = [];
  stats: ContextStats | null = null;
  promptTokens = 0;
  completionTokens = 0;
  allReported = true;
  retries = 0;
  private upstreamMarked = false;
  private shrunk: Promise<ChatMessage[] | null> | null = null;
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
    readonly outputBudget: number,
  ) {
    this.deadline = this.signalAt(input.receivedAt + settings.deadlineMs, "deadline");
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

  async buildContext(shrink?: number): Promise<void> {
    const built = await this.input.buildContext({ system: this.system, outputBudget: this.outputBudget, ...(shrink ? { shrink } : {}) });
    this.messages = built.messages;
    this.stats = shrink ? { ...built.stats, retrimmed: true } : built.stats;
    this.emit({ type: "run.context", context: this.stats });
  }

  /** after a context-length refusal: re-trim once with a smaller budget; later calls share the same result */
  shrink(): Promise<ChatMessage[] | null> {
    this.shrunk ??= (async () => {
      this.progress("retrying", "The model refused the request as too long; trimming the conversation further and retrying");
      this.retries++;
      this.input.meter.retried();
      try {
        await this.buildContext(1);
        return this.messages;
      } catch {
        return null;
      }
    })();
    return this.shrunk;
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
   * One manager-side generation over the run's context (`build` wraps it into the request): bounded by stop
   * and the deadline, retried and re-trimmed once on overflow; the usage is added to the run's totals.
   */
  async generate(
    build: (context: ChatMessage[]) => ChatMessage[],
    opts: { maxOutputTokens: number; temperature: number; json?: boolean; onDelta?: (text: string) => void },
  ): Promise<GenerationOutcome> {
    const out = await generateWithRetry(this.model, build(this.messages), {
      ...opts,
      signal: AbortSignal.any([this.input.signal, this.deadline]),
      countTokens: this.countTokens,
      countPrompt: (sent) => this.promptTokensOf(sent),
      retry: this.retry,
      onRetry: this.onRetry,
      onRequest: this.onRequest,
      onContextLength: async () => {
        const smaller = await this.shrink();
        return smaller ? build(smaller) : null;
      },
    });
    this.addUsage(out);
    return out;
  }

  /**
   * The size of a request over the run's context when the provider did not report it: memory's exact count of
   * the context plus an estimate of what `build` added around it.
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
