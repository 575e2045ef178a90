import type { ContextWindowInfo, ModelStatus } from "@alma/protocol";
import { stat } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, join, resolve } from "node:path";
import {
  GeneralChatWrapper,
  getLlama,
  LlamaChat,
  LlamaLogLevel,
  resolveModelFile,
  type ChatHistoryItem,
  type Llama,
  type LlamaContext,
  type LlamaModel,
  type ModelDownloadEndpoints,
} from "node-llama-cpp";
import type { ChatMessage } from "./chat-message.js";
import type { ChatModel, GenerateOptions, ModelFinishReason, StreamChunk } from "./chat-model.js";
import { DownloadProgressBar } from "./download-progress-bar.js";
import { LlmError } from "./llm-error.js";
import { MODEL_SETUP_STEPS } from "./model-setup-steps.js";
import { StatusHolder } from "./status-holder.js";

export interface LocalChatModelOptions {
  /** a GGUF file path, or an `hf:` / https URI downloaded once into `modelsDir` */
  model: string;
  /** where downloads are cached; default ~/.cache/alma/models */
  modelsDir?: string;
  /** CPU threads for evaluation; default 1 (more oversubscribes small machines) */
  threads?: number;
  /** exact context size; default the model's training context capped by maxContextSize */
  contextSize?: number;
  /** cap for the default context size; default 4096 */
  maxContextSize?: number;
  /** start loading at construction (default true); otherwise on the first stream() or load() */
  autoLoad?: boolean;
  /** draw a download progress bar on stderr when it is a terminal; default true */
  progressBar?: boolean;
  /** where `hf:` URIs are fetched from (tests point this at a local server) */
  endpoints?: ModelDownloadEndpoints;
  /** how long to wait for the download server to answer at all; default 10 s */
  connectTimeoutMs?: number;
  /** give up a download that makes no progress for this long; default 60 s */
  downloadStallTimeoutMs?: number;
}

export const DEFAULT_LOCAL_MAX_CONTEXT_SIZE = 4096;

let sharedLlama: Promise<Llama> | null = null;

// One llama.cpp binding per process: loading it is slow and it owns native resources.
function loadLlama(): Promise<Llama> {
  sharedLlama ??= getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error }).catch((e: unknown) => {
    sharedLlama = null;
    throw e;
  });
  return sharedLlama;
}

function isRemote(model: string): boolean {
  return /^(hf:|huggingface:|https?:\/\/)/i.test(model);
}

function downloadOrigin(spec: string, endpoints: ModelDownloadEndpoints | undefined): string {
  if (/^https?:\/\//i.test(spec)) return new URL(spec).origin;
  return endpoints?.huggingFace ?? "https://huggingface.co/";
}

/** The file a plain URL was downloaded to earlier (the downloader names it after the URL's last path segment). */
async function cachedUrlFile(url: string, directory: string): Promise<string | null> {
  const name = basename(decodeURIComponent(new URL(url).pathname));
  if (!name) return null;
  const path = join(directory, name);
  const info = await stat(path).catch(() => null);
  return info?.isFile() && info.size > 0 ? path : null;
}

/** null when `url` answers at all (any HTTP status), else why not. */
async function checkReachable(url: string, timeoutMs: number): Promise<string | null> {
  try {
    const res = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return null;
  } catch (e) {
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : errorText(e);
    return `${new URL(url).host} cannot be reached (${cause})`;
  }
}

function toHistory(messages: ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((m): ChatHistoryItem => {
    switch (m.role) {
      case "system":
        return { type: "system", text: m.content };
      case "user":
        return { type: "user", text: m.content };
      case "assistant": {
        const calls = (m.toolCalls ?? []).map((c) => `\n[called ${c.name}(${c.arguments})]`).join("");
        return { type: "model", response: [m.content + calls] };
      }
      case "tool":
        return { type: "user", text: `Tool result (${m.toolCallId}):\n${m.content}` };
    }
  });
  history.push({ type: "model", response: [] });
  return history;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

interface Loaded {
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  chat: LlamaChat;
}

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
    this.model = isRemote(options.model) ? options.model : basename(options.model);
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

  async #resolvePath(): Promise<string | null> {
    const spec = this.#options.model;
    if (!isRemote(spec)) {
      const path = resolve(spec);
      const info = await stat(path).catch(() => null);
      if (!info?.isFile()) return this.#unavailable(`The local model file ${path} does not exist (ALMA_MODEL=${spec}).`);
      return path;
    }
    const directory = this.#options.modelsDir ?? join(homedir(), ".cache", "alma", "models");
    const endpoints = this.#options.endpoints ? { endpoints: this.#options.endpoints } : {};
    // a model downloaded earlier must load offline, so look in the cache before touching the network
    const cached = /^https?:\/\//i.test(spec)
      ? await cachedUrlFile(spec, directory)
      : await resolveModelFile(spec, { directory, cli: false, download: false, ...endpoints }).catch(() => null);
    if (cached) return cached;
    const unreachable = await checkReachable(downloadOrigin(spec, this.#options.endpoints), this.#options.connectTimeoutMs ?? 10_000);
    if (unreachable) {
      return this.#unavailable(`Could not download the model ${spec}: ${unreachable}. No network connection, so no local model can be fetched.`);
    }
    const bar = this.#options.progressBar === false ? null : new DownloadProgressBar(`Downloading ${spec}`);
    let lastNotice = 0;
    const stallMs = this.#options.downloadStallTimeoutMs ?? 60_000;
    let stallTimer: NodeJS.Timeout | undefined;
    let rearm = () => {};
    // the downloader retries quietly for a long time; a download without progress must end in words, not hang
    const stalled = new Promise<never>((_, reject) => {
      const arm = () => {
        clearTimeout(stallTimer);
        stallTimer = setTimeout(() => reject(new Error(`no progress for ${Math.round(stallMs / 1000)} s`)), stallMs);
      };
      arm();
      rearm = arm;
    });
    try {
      const path = await Promise.race([
        stalled,
        resolveModelFile(spec, {
          directory,
          cli: false,
          ...endpoints,
          onProgress: ({ totalSize, downloadedSize }) => {
            rearm();
            bar?.update(downloadedSize, totalSize || null);
            const now = Date.now();
            if (now - lastNotice < 200 && downloadedSize !== totalSize) return;
            lastNotice = now;
            this.#status.update({ state: "downloading", download: { receivedBytes: downloadedSize, totalBytes: totalSize || null, file: spec } });
          },
        }),
      ]);
      if (this.#status.get().state === "downloading") bar?.finish();
      return path;
    } catch (e) {
      if (this.#status.get().state === "downloading") bar?.finish();
      return this.#unavailable(`Could not download the model ${spec} into ${directory}: ${errorText(e)}.`);
    } finally {
      clearTimeout(stallTimer);
    }
  }

  async #load(): Promise<Loaded | null> {
    const path = await this.#resolvePath();
    if (!path || this.#closed) return null;
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
      const chat = new LlamaChat({ contextSequence: context.getSequence(), chatWrapper: hasTemplate ? "auto" : new GeneralChatWrapper() });
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

  #promptTokens(chat: LlamaChat, model: LlamaModel, messages: ChatMessage[]): number {
    const { contextText } = chat.chatWrapper.generateContextState({ chatHistory: toHistory(messages) });
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
    let completionTokens = 0;
    let yielded = false;
    let generation: Promise<void> = Promise.resolve();
    try {
      const { chat, model, context, llama } = loaded;
      const history = toHistory(messages);
      const promptTokens = this.#promptTokens(chat, model, messages);
      const room = context.contextSize - promptTokens;
      if (room <= 0) {
        throw new LlmError(
          "provider_context_length",
          `the conversation (${promptTokens} tokens) does not fit the local model's ${context.contextSize}-token context: shorten it or start a new one`,
        );
      }
      const grammar = options.json ? await llama.getGrammarFor("json") : undefined;
      generation = chat
        .generateResponse(history, {
          maxTokens: Math.min(options.maxOutputTokens, room),
          temperature: options.temperature ?? 0,
          signal: controller.signal,
          ...(grammar ? { grammar } : {}),
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
      const finishReason: ModelFinishReason = stopReason === "maxTokens" ? "length" : "stop";
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

/** Waits for `promise` unless `signal` aborts first (then rejects with the signal's reason). */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolvePromise, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolvePromise(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

function engineWindow(tokens: number): ContextWindowInfo {
  return { tokens, source: "engine", detail: "node-llama-cpp: the loaded context size (ALMA_CONTEXT_SIZE sets it)", server: "local" };
}
