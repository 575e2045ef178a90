import type { ContextWindowInfo, ModelStatus } from "@alma/protocol";
import OpenAI from "openai";
import type { ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import type { ChatMessage } from "./chat-message.js";
import type { ChatModel, GenerateOptions, ModelFinishReason, StreamChunk } from "./chat-model.js";
import { countOpenAICompletionTokens, countOpenAIPromptTokens } from "./count-openai-tokens.js";
import { ServerWindow } from "./server-window.js";
import { withOpenAIErrorShape } from "./openai-error-body-fetch.js";
import { knownContextWindow } from "./known-context-windows.js";
import { LlmError } from "./llm-error.js";
import { mapOpenAIError } from "./map-openai-error.js";
import { MODEL_SETUP_STEPS } from "./model-setup-steps.js";
import { raceAbort } from "./race-abort.js";
import type { RecheckableModel } from "./recheck-model.js";
import { DEFAULT_REPROBE_SCHEDULE, reprobeDelay, type ReprobeReason, type ReprobeSchedule } from "./reprobe-schedule.js";
import { SseChatChunkDecoder } from "./sse-chat-chunk-decoder.js";
import { StatusHolder } from "./status-holder.js";
import { toFinishReason, toOpenAIMessage, toOpenAITool } from "./to-openai-request.js";
import { ToolCallAssembler } from "./tool-call-assembler.js";
import { toolsRefusalDetail, toolsRefusedError } from "./tools-refusal.js";

export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";
export const OPENAI_DEFAULT_MODEL = "gpt-4o-mini";

/** how long one GET /models probe may take */
const PROBE_TIMEOUT_MS = 10_000;

/** said with the problem of a model that is asked again in the background, so nobody restarts alma for it */
function reprobeNote(reason: ReprobeReason, schedule: ReprobeSchedule): string {
  if (reason === "unreachable") return " (alma keeps checking: it is ready as soon as the server answers, no restart needed)";
  return ` (alma checks again every ${Math.round(schedule.authDelayMs / 1000)} s: no restart needed once the key is accepted)`;
}

export interface OpenAIChatModelOptions {
  /** default OpenAI's */
  baseURL?: string;
  /** some compatible servers (Ollama, llama.cpp) need none */
  apiKey?: string;
  model?: string;
  /** the window setting (ALMA_CONTEXT_WINDOW): wins over what the server tells and the known-models table */
  contextWindow?: number | null;
  /** ask the server for its window (GET /v1/models, /props, /api/ps ...); default true */
  discoverWindow?: boolean;
  /** how long a discovered window is trusted before it is asked again; default 5 min (Ollama: 30 s, its loaded context changes) */
  windowTtlMs?: number;
  /** until the response headers arrive; default 60 s */
  requestTimeoutMs?: number;
  /** from the request until the first text delta; default 120 s */
  ttftTimeoutMs?: number;
  /** longest gap between chunks once text flows; default 30 s */
  idleTimeoutMs?: number;
  /** which name the output cap goes by; default max_completion_tokens for OpenAI itself, max_tokens for compatible servers */
  maxTokensParam?: "max_tokens" | "max_completion_tokens";
  /** custom fetch (tests, proxies) */
  fetch?: typeof fetch;
  /**
   * after the server could not be reached, timed out or refused the key, ask it again in the background on this
   * schedule (merged over DEFAULT_REPROBE_SCHEDULE); false: never, the status stays unavailable until a probe or answer
   */
  reprobe?: Partial<ReprobeSchedule> | false;
}

/** A model behind OpenAI's chat completions API (OpenAI, Ollama, vLLM, LM Studio, llama.cpp's server). */
export class OpenAIChatModel implements ChatModel, RecheckableModel {
  readonly provider = "openai";
  readonly model: string;
  readonly baseURL: string;
  readonly #client: OpenAI;
  readonly #window: ServerWindow;
  readonly #ttftTimeoutMs: number;
  readonly #idleTimeoutMs: number;
  readonly #ttftMessage: string;
  readonly #idleMessage: string;
  readonly #maxTokensParam: "max_tokens" | "max_completion_tokens";
  readonly #status: StatusHolder;
  /** false once the server refused `tools` */
  #supportsTools = true;
  readonly #reprobe: ReprobeSchedule | null;
  /** why the model is unavailable: "config" (no key for OpenAI itself) is not asked again, the others are */
  #unavailableBy: ReprobeReason | "config" | null = null;
  #reprobeTimer: ReturnType<typeof setTimeout> | null = null;
  #reprobeAttempt = 0;
  /** the one GET /models in flight (every probe, scheduled or not, joins it); resolves true when it listed */
  #probing: Promise<boolean> | null = null;
  readonly #closed = new AbortController();

  constructor(options: OpenAIChatModelOptions = {}) {
    this.baseURL = (options.baseURL ?? OPENAI_DEFAULT_BASE_URL).replace(/\/+$/, "");
    this.model = options.model ?? OPENAI_DEFAULT_MODEL;
    this.#ttftTimeoutMs = options.ttftTimeoutMs ?? 120_000;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.#ttftMessage = `no answer arrived from model "${this.model}" within ${this.#ttftTimeoutMs} ms; the server may be overloaded or still loading the model — try again`;
    this.#idleMessage = `the answer from model "${this.model}" stalled for ${this.#idleTimeoutMs} ms mid-stream; try again`;
    const isOpenAI = this.baseURL === OPENAI_DEFAULT_BASE_URL;
    const setting = options.contextWindow ?? null;
    this.#window = new ServerWindow({
      baseURL: this.baseURL,
      model: this.model,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      setting,
      known: knownContextWindow(this.model),
      discover: (options.discoverWindow ?? true) && !isOpenAI && setting === null,
      ttlMs: options.windowTtlMs ?? 5 * 60_000,
      isOpenAI,
      onChange: (window) => this.#status.set({ ...this.#status.get(), contextWindow: window.tokens, window }),
    });
    this.#maxTokensParam = options.maxTokensParam ?? (isOpenAI ? "max_completion_tokens" : "max_tokens");
    this.#client = new OpenAI({
      baseURL: this.baseURL,
      // the SDK refuses to start without a key; local compatible servers ignore it
      apiKey: options.apiKey || "no-key",
      // retries belong to the agent/server layer, which knows whether tokens were already shown
      maxRetries: 0,
      timeout: options.requestTimeoutMs ?? 60_000,
      fetch: withOpenAIErrorShape(options.fetch),
    });
    this.#reprobe = options.reprobe === false ? null : { ...DEFAULT_REPROBE_SCHEDULE, ...options.reprobe };
    this.#status = new StatusHolder(this.#readyStatus());
    if (isOpenAI && !options.apiKey) {
      this.#markUnavailable(
        new LlmError("provider_auth", "OpenAI was chosen but OPENAI_API_KEY is not set: set it, or set OPENAI_BASE_URL to a compatible server"),
        "config",
      );
    }
  }

  #readyStatus(): ModelStatus {
    return { ...StatusHolder.ready(this.provider, this.model, this.#window.current.tokens), window: this.#window.current };
  }

  contextWindowInfo(): ContextWindowInfo {
    return this.#window.current;
  }

  /** llama.cpp tells how many requests it runs at once (its slots); more parallel steps would only queue */
  get parallelism(): number | undefined {
    return this.#window.slots;
  }

  resolveContextWindow(signal?: AbortSignal): Promise<ContextWindowInfo> {
    return this.#window.resolve(signal);
  }

  status(): ModelStatus {
    return this.#status.get();
  }

  onStatus(listener: (status: ModelStatus) => void): () => void {
    return this.#status.subscribe(listener);
  }

  contextWindow(): number | null {
    return this.#window.current.tokens;
  }

  /** true until the server refuses `tools` (Ollama models without tool support, llama.cpp without --jinja, ...) */
  supportsTools(): boolean {
    return this.#supportsTools;
  }

  /**
   * Asks GET /models so a refused key or an unreachable server shows in the status before the first message
   * (joining a probe already in flight), then learns the window once it answered. Never throws; returns the
   * resulting status. `signal` only stops the wait: the probe itself goes on and its outcome still shows.
   * While the status is unavailable for a reason that can pass, the model asks again in the background.
   */
  async probe(signal?: AbortSignal): Promise<ModelStatus> {
    const listed = await raceAbort(this.#probeOnce(), signal).catch(() => false);
    if (listed) await this.resolveContextWindow(signal);
    return this.status();
  }

  /**
   * A message found the model unavailable: ask the server now instead of at the next scheduled re-probe, and wait
   * at most `maxWaitMs` (default the schedule's `sendWaitMs`) for the answer. A model unavailable for good (OpenAI
   * without a key) is not asked. Never throws.
   */
  async recheck(maxWaitMs = this.#reprobe?.sendWaitMs ?? DEFAULT_REPROBE_SCHEDULE.sendWaitMs): Promise<ModelStatus> {
    if (this.#unavailableBy !== "unreachable" && this.#unavailableBy !== "auth") return this.status();
    const waited = AbortSignal.timeout(maxWaitMs);
    await raceAbort(this.#probeInBackground(), waited).catch(() => undefined);
    return this.status();
  }

  #probeOnce(): Promise<boolean> {
    this.#probing ??= this.#askServer().finally(() => {
      this.#probing = null;
    });
    return this.#probing;
  }

  /** a re-probe nobody waits on the window for: the window is still learned once the server answers */
  #probeInBackground(): Promise<boolean> {
    return this.#probeOnce().then((listed) => {
      if (listed) void this.resolveContextWindow();
      return listed;
    });
  }

  async #askServer(): Promise<boolean> {
    this.#cancelReprobe();
    let listed = false;
    try {
      // the SDK's own timeout, so a server that hangs is a provider_timeout, not an abort
      await this.#client.models.list({ signal: this.#closed.signal, timeout: PROBE_TIMEOUT_MS });
      listed = true;
      this.#markReady();
    } catch (e) {
      const error = mapOpenAIError(e, { model: this.model, baseURL: this.baseURL, afterFirstToken: false, streamStarted: false });
      // servers without a models endpoint can still chat; only definite failures mark the model unavailable
      if (error.code === "provider_auth") this.#markUnavailable(error, "auth");
      else if (error.code === "provider_unavailable" || error.code === "provider_timeout") this.#markUnavailable(error, "unreachable");
      // any other HTTP answer (a server without /models) means it is up and took the key
      else if (error.status !== null && this.#unavailableBy !== null && this.#unavailableBy !== "config") this.#markReady();
    }
    if (this.#unavailableBy === "unreachable" || this.#unavailableBy === "auth") this.#scheduleReprobe(this.#unavailableBy);
    return listed;
  }

  #markReady(): void {
    this.#cancelReprobe();
    this.#reprobeAttempt = 0;
    this.#unavailableBy = null;
    this.#status.set(this.#readyStatus());
  }

  #markUnavailable(error: LlmError, by: ReprobeReason | "config"): void {
    if (by !== this.#unavailableBy) this.#reprobeAttempt = 0;
    this.#unavailableBy = by;
    const problem = by !== "config" && this.#reprobe ? `${error.message}${reprobeNote(by, this.#reprobe)}` : error.message;
    const current = this.#status.get();
    // the same failure found again is no news: every tab was told already
    if (current.state === "unavailable" && current.problem === problem) return;
    this.#status.set({ ...this.#readyStatus(), ready: false, state: "unavailable", problem, setup: [...MODEL_SETUP_STEPS] });
  }

  /** one timer at most, unref'd (it never keeps the process up), none once closed */
  #scheduleReprobe(reason: ReprobeReason): void {
    this.#cancelReprobe();
    if (!this.#reprobe || this.#closed.signal.aborted) return;
    this.#reprobeAttempt++;
    this.#reprobeTimer = setTimeout(
      () => {
        this.#reprobeTimer = null;
        void this.#probeInBackground();
      },
      reprobeDelay(this.#reprobe, reason, this.#reprobeAttempt),
    );
    this.#reprobeTimer.unref();
  }

  #cancelReprobe(): void {
    if (this.#reprobeTimer !== null) clearTimeout(this.#reprobeTimer);
    this.#reprobeTimer = null;
  }

  async *stream(messages: ChatMessage[], options: GenerateOptions): AsyncGenerator<StreamChunk> {
    const ctx = { model: this.model, baseURL: this.baseURL, afterFirstToken: false, streamStarted: false };
    if (options.signal?.aborted) throw new LlmError("aborted", "the request was stopped before it started");
    const controller = new AbortController();
    const onAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    // one timer for the whole stream: armed for the first token, then refreshed per chunk (no allocation per token)
    let timedOut: string | null = null;
    let timeoutReason = this.#ttftMessage;
    const onTimeout = () => {
      timedOut = timeoutReason;
      controller.abort();
    };
    let timer = setTimeout(onTimeout, this.#ttftTimeoutMs);

    let text = "";
    const tools = options.tools ?? [];
    const calls = new ToolCallAssembler();
    let flowing = false;
    let finishReason: ModelFinishReason | null = null;
    let usage: { prompt_tokens: number; completion_tokens: number } | null = null;
    let answeredBy: string | null = null;
    let finished = false;
    try {
      const body: ChatCompletionCreateParamsStreaming = {
        model: this.model,
        messages: messages.map(toOpenAIMessage),
        stream: true,
        stream_options: { include_usage: true },
        [this.#maxTokensParam]: options.maxOutputTokens,
        ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
        ...(options.json ? { response_format: { type: "json_object" as const } } : {}),
        ...(tools.length > 0 ? { tools: tools.map(toOpenAITool), tool_choice: "auto" as const } : {}),
      };
      // the SDK still makes the request (auth, headers, HTTP errors); the body is decoded here, which costs far less per token
      const response = await this.#client.chat.completions.create(body, { signal: controller.signal }).asResponse();
      ctx.streamStarted = true;
      if (!response.body) throw new Error("the response has no body");
      const decoder = new SseChatChunkDecoder(response.headers);
      const reader = response.body.getReader();
      for (;;) {
        const read = await reader.read();
        const chunks = read.done ? decoder.end() : decoder.push(read.value);
        if (flowing) timer.refresh();
        for (const chunk of chunks) {
          if (chunk.usage) usage = chunk.usage;
          if (answeredBy === null && typeof chunk.model === "string" && chunk.model) answeredBy = chunk.model;
          const choice = chunk.choices?.[0];
          if (!choice) continue;
          const delta = choice.delta?.content;
          const toolCalls = choice.delta?.tool_calls;
          if ((delta || toolCalls?.length) && !flowing) {
            flowing = true;
            // from here on the timer guards the gap between chunks
            clearTimeout(timer);
            timeoutReason = this.#idleMessage;
            timer = setTimeout(onTimeout, this.#idleTimeoutMs);
          }
          if (toolCalls) calls.push(toolCalls);
          if (delta) {
            ctx.afterFirstToken = true;
            text += delta;
            yield { type: "delta", text: delta };
          }
          if (choice.finish_reason) finishReason = toFinishReason(choice.finish_reason);
        }
        if (read.done) break;
      }
      if (finishReason === null) {
        throw new LlmError("stream_interrupted", `the answer stream from ${this.baseURL} ended before the model finished; try again`, {
          retryable: true,
          afterFirstToken: ctx.afterFirstToken,
        });
      }
      finished = true;
      clearTimeout(timer);
      this.#window.answered();
      if (this.#status.get().state !== "ready") this.#markReady();
      // every call whole, before done; servers that say "stop" after calls (Ollama, some llama.cpp builds) still made them
      const made = calls.finish();
      for (const call of made) yield { type: "tool_call", call };
      if (made.length > 0 && finishReason === "stop") finishReason = "tool_calls";
      if (made.length === 0 && finishReason === "tool_calls") finishReason = "stop";
      yield {
        type: "done",
        finishReason,
        usage: usage
          ? { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, reported: true }
          : { promptTokens: countOpenAIPromptTokens(messages, tools), completionTokens: countOpenAICompletionTokens(text, made), reported: false },
        ...(answeredBy !== null ? { model: answeredBy } : {}),
      };
    } catch (e) {
      if (options.signal?.aborted) {
        throw new LlmError("aborted", "the request was stopped", { afterFirstToken: ctx.afterFirstToken, cause: e });
      }
      if (timedOut !== null) {
        throw new LlmError("provider_timeout", timedOut, { retryable: true, afterFirstToken: ctx.afterFirstToken, cause: e });
      }
      const refusal = tools.length > 0 ? toolsRefusalDetail(e) : null;
      if (refusal !== null) {
        this.#supportsTools = false;
        throw toolsRefusedError(this.model, this.baseURL, refusal, (e as { status?: number }).status ?? null, e);
      }
      const error = mapOpenAIError(e, ctx);
      if (error.code === "provider_auth" && this.#unavailableBy !== "config") {
        // a proxy's key can be fixed without restarting alma: ask again now and then
        this.#markUnavailable(error, "auth");
        if (!this.#probing) this.#scheduleReprobe("auth");
      }
      this.#window.learnFromRefusal(error);
      throw error;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      // a consumer that stops iterating early must still close the upstream connection
      if (!finished) controller.abort();
    }
  }

  /** stops the background re-probes and the one in flight */
  async close(): Promise<void> {
    this.#cancelReprobe();
    this.#closed.abort();
  }
}
