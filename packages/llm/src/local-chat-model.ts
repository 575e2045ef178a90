import type { ContextWindowInfo, ModelStatus } from "@alma/protocol";
import { basename } from "node:path";
import { randomUUID } from "node:crypto";
import { type ChatModelFunctions, type ChatWrapper, GeneralChatWrapper, LlamaChat, type Llama, type LlamaModel } from "node-llama-cpp";
import type { ChatMessage, ToolCall } from "./chat-message.js";
import type { ChatModel, GenerateOptions, ModelFinishReason, StreamChunk } from "./chat-model.js";
import { errorText } from "./error-text.js";
import { LlmError } from "./llm-error.js";
import { MODEL_SETUP_STEPS } from "./model-setup-steps.js";
import { raceAbort } from "./race-abort.js";
import { isRemoteModel, resolveLocalModelFile, type LocalModelFileOptions } from "./resolve-local-model-file.js";
import { StatusHolder } from "./status-holder.js";
import { engineWindow, type Loaded, loadLlama } from "./llama-runtime.js";
import { toLlamaChatHistory } from "./to-llama-chat-history.js";
import { chatWrapperCallsFunctions, toLlamaFunctions } from "./to-llama-functions.js";

export interface LocalChatModelOptions extends LocalModelFileOptions {
  /** CPU threads for evaluation; default 1 (more oversubscribes small machines) */
  threads?: number;
  /** exact context size; default the model's training context capped by maxContextSize */
  contextSize?: number;
  /** cap for the default context size; default 4096 */
  maxContextSize?: number;
  /** start loading at construction (default true); otherwise on the first stream() or load() */
  autoLoad?: boolean;
  /** the chat format; default the one the model's template names ("auto"), or a plain one when the file has no template */
  chatWrapper?: ChatWrapper;
}

export const DEFAULT_LOCAL_MAX_CONTEXT_SIZE = 4096;

/** A GGUF model run in-process on the CPU by node-llama-cpp; loads in the background and never crashes the process. */
export class LocalChatModel implements ChatModel {
  readonly provider = "local";
  /** one context sequence: requests take turns, so parallel steps gain nothing */
  readonly parallelism = 1;
  readonly model: string;
  readonly #options: LocalChatModelOptions;
  readonly #status: StatusHolder;
  #loading: Promise<Loaded | null> | null = null;
  #loaded: Loaded | null = null;
  // generations run one at a time on the single context sequence
  #lock: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: LocalChatModelOptions) {
    this.#options = options;
    this.model = isRemoteModel(options.model) ? options.model : basename(options.model);
    this.#status = new StatusHolder({
      ready: false,
      provider: this.provider,
      model: this.model,
      contextWindow: null,
      state: "loading",
      download: null,
      problem: null,
      setup: [],
    });
    if (options.autoLoad ?? true) void this.load();
  }

  status(): ModelStatus {
    return this.#status.get();
  }

  onStatus(listener: (status: ModelStatus) => void): () => void {
    return this.#status.subscribe(listener);
  }

  contextWindow(): number | null {
    return this.#loaded?.context.contextSize ?? null;
  }

  contextWindowInfo(): ContextWindowInfo | null {
    return this.#loaded ? engineWindow(this.#loaded.context.contextSize) : null;
  }

  /** the chat format used to render messages (from the model's template, or "General" without one); null until loaded */
  chatWrapperName(): string | null {
    return this.#loaded?.chat.chatWrapper.wrapperName ?? null;
  }

  /**
   * true when the loaded model's chat format has its own way of calling functions (a tool-aware template); false
   * for models without one, which get tools through the JSON convention, and until the model is loaded
   */
  supportsTools(): boolean {
    return this.#loaded ? chatWrapperCallsFunctions(this.#loaded.chat.chatWrapper) : false;
  }

  /** Loads (downloading first when needed) once; resolves to the final status and never throws. */
  async load(): Promise<ModelStatus> {
    this.#loading ??= this.#load();
    await this.#loading;
    return this.status();
  }

  #unavailable(problem: string): null {
    this.#status.set({ ...this.#status.get(), ready: false, state: "unavailable", download: null, problem, setup: [...MODEL_SETUP_STEPS] });
    return null;
  }

  async #load(): Promise<Loaded | null> {
    const file = await resolveLocalModelFile(this.#options, (download) => this.#status.update({ state: "downloading", download }));
    if ("problem" in file) return this.#unavailable(file.problem);
    const { path } = file;
    if (this.#closed) return null;
    this.#status.update({ state: "loading", download: null });
    let llama: Llama;
    try {
      llama = await loadLlama();
    } catch (e) {
      return this.#unavailable(`The llama.cpp runtime could not start on this machine: ${errorText(e)}`);
    }
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath: path });
    } catch (e) {
      return this.#unavailable(`Could not load the model file ${path}; it may be corrupt or not a GGUF model: ${errorText(e)}`);
    }
    try {
      const contextSize = this.#options.contextSize ?? Math.min(model.trainContextSize, this.#options.maxContextSize ?? DEFAULT_LOCAL_MAX_CONTEXT_SIZE);
      const context = await model.createContext({ contextSize, threads: this.#options.threads ?? 1, sequences: 1 });
      // "auto" would guess a wrapper from the architecture name; without a template in the file a plain one is safer
      const hasTemplate = typeof model.fileInfo.metadata?.tokenizer?.chat_template === "string";
      const chatWrapper = this.#options.chatWrapper ?? (hasTemplate ? "auto" : new GeneralChatWrapper());
      const chat = new LlamaChat({ contextSequence: context.getSequence(), chatWrapper });
      if (this.#closed) {
        await context.dispose();
        await model.dispose();
        return null;
      }
      this.#loaded = { llama, model, context, chat };
      this.#status.set({ ...StatusHolder.ready(this.provider, this.model, context.contextSize), window: engineWindow(context.contextSize) });
      return this.#loaded;
    } catch (e) {
      await model.dispose().catch(() => undefined);
      return this.#unavailable(`Could not create a context for ${path} (not enough memory?): ${errorText(e)}`);
    }
  }

  async #ready(signal: AbortSignal | undefined): Promise<Loaded> {
    this.#loading ??= this.#load();
    const loaded = await raceAbort(this.#loading, signal);
    if (!loaded) {
      throw new LlmError("local_model_error", this.status().problem ?? `the local model ${this.model} is not available`);
    }
    return loaded;
  }

  /** Prompt tokens of the chat as this model sees it: rendered by its chat wrapper, tokenized by its tokenizer. */
  async countPromptTokens(messages: ChatMessage[]): Promise<number> {
    const { chat, model } = await this.#ready(undefined);
    return this.#promptTokens(chat, model, messages);
  }

  /** Tokens `text` takes in this model's own tokenizer (no special tokens); waits for the model to load. */
  async tokenize(text: string): Promise<number> {
    if (this.#closed) throw new LlmError("local_model_error", "the local model was closed");
    const { model } = await this.#ready(undefined);
    return model.tokenize(text).length;
  }

  #promptTokens(chat: LlamaChat, model: LlamaModel, messages: ChatMessage[], functions?: ChatModelFunctions): number {
    const { contextText } = chat.chatWrapper.generateContextState({
      chatHistory: toLlamaChatHistory(messages),
      ...(functions ? { availableFunctions: functions, documentFunctionParams: true } : {}),
    });
    return contextText.tokenize(model.tokenizer).length;
  }

  async *stream(messages: ChatMessage[], options: GenerateOptions): AsyncGenerator<StreamChunk> {
    const { signal } = options;
    const aborted = (afterFirstToken: boolean) => new LlmError("aborted", "the generation was stopped", { afterFirstToken });
    if (signal?.aborted) throw aborted(false);
    if (this.#closed) throw new LlmError("local_model_error", "the local model was closed");
    const loaded = await this.#ready(signal).catch((e: unknown) => {
      throw signal?.aborted ? aborted(false) : e;
    });

    let release!: () => void;
    const previous = this.#lock;
    this.#lock = new Promise<void>((r) => (release = r));
    try {
      await raceAbort(previous, signal);
    } catch {
      void previous.then(release);
      throw aborted(false);
    }

    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const pending: string[] = [];
    let wake: (() => void) | null = null;
    let settled = false;
    let failure: unknown = null;
    let stopReason: string | null = null;
    let calls: ToolCall[] = [];
    let completionTokens = 0;
    let yielded = false;
    let generation: Promise<void> = Promise.resolve();
    try {
      const { chat, model, context, llama } = loaded;
      const history = toLlamaChatHistory(messages);
      // a model without a tool-aware template answers in text: the tools are left out, never an error
      const functions = options.tools?.length && chatWrapperCallsFunctions(chat.chatWrapper) ? toLlamaFunctions(options.tools) : undefined;
      const promptTokens = this.#promptTokens(chat, model, messages, functions);
      const room = context.contextSize - promptTokens;
      if (room <= 0) {
        throw new LlmError(
          "provider_context_length",
          `the conversation (${promptTokens} tokens) does not fit the local model's ${context.contextSize}-token context: shorten it or start a new one`,
        );
      }
      // a grammar and functions exclude each other: the functions' own grammar constrains the calls
      const grammar = options.json && !functions ? await llama.getGrammarFor("json") : undefined;
      generation = chat
        .generateResponse(history, {
          maxTokens: Math.min(options.maxOutputTokens, room),
          temperature: options.temperature ?? 0,
          signal: controller.signal,
          ...(functions ? { functions, documentFunctionParams: true } : grammar ? { grammar } : {}),
          onTextChunk: (text) => {
            if (!text) return;
            pending.push(text);
            wake?.();
          },
          onToken: (tokens) => {
            completionTokens += tokens.length;
          },
        })
        .then(
          (response) => {
            stopReason = response.metadata.stopReason;
            calls = (response.functionCalls ?? []).map((call) => ({
              id: `call_${randomUUID().replaceAll("-", "").slice(0, 24)}`,
              name: call.functionName,
              arguments: JSON.stringify(call.params ?? {}),
            }));
          },
          (e: unknown) => {
            failure = e;
          },
        )
        .finally(() => {
          settled = true;
          wake?.();
        });

      for (;;) {
        while (pending.length > 0) {
          if (signal?.aborted) break;
          yielded = true;
          yield { type: "delta", text: pending.shift()! };
        }
        if (signal?.aborted) throw aborted(yielded);
        if (settled && pending.length === 0) break;
        await new Promise<void>((r) => {
          wake = r;
          if (pending.length > 0 || settled || signal?.aborted) r();
        });
        wake = null;
      }
      if (signal?.aborted || stopReason === "abort") throw aborted(yielded);
      if (failure !== null) {
        throw new LlmError("local_model_error", `the local model failed while generating: ${errorText(failure)}`, { afterFirstToken: yielded, cause: failure });
      }
      for (const call of calls) yield { type: "tool_call", call };
      const finishReason: ModelFinishReason = calls.length > 0 ? "tool_calls" : stopReason === "maxTokens" ? "length" : "stop";
      yield { type: "done", finishReason, usage: { promptTokens, completionTokens, reported: true } };
    } finally {
      signal?.removeEventListener("abort", onAbort);
      // stop generating when the consumer left early, and free the sequence before the next generation
      if (!settled) controller.abort();
      await generation;
      release();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const loaded = this.#loaded ?? (this.#loading ? await this.#loading : null);
    await this.#lock;
    this.#loaded = null;
    if (loaded) {
      await loaded.context.dispose();
      await loaded.model.dispose();
    }
  }
}
