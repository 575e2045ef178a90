import type { ContextWindowInfo } from "@alma/protocol";
import { discoverContextWindow, type DiscoveredWindow } from "./discover-context-window.js";
import type { LlmError } from "./llm-error.js";

/** the window assumed when neither the setting, the server, a refusal nor the known table tells it */
export const DEFAULT_OPENAI_COMPATIBLE_WINDOW = 4096;

export interface ServerWindowOptions {
  baseURL: string;
  model: string;
  apiKey?: string;
  fetch?: typeof fetch;
  /** ALMA_CONTEXT_WINDOW: wins over everything, and then nothing is asked */
  setting: number | null;
  /** the known-models table's window for this model name */
  known: number | null;
  /** ask the server at all (not for OpenAI itself) */
  discover: boolean;
  /** how long a discovered window is trusted before it is asked again (Ollama: at most 30 s) */
  ttlMs: number;
  /** OpenAI's own API: the server is known without asking */
  isOpenAI: boolean;
  onChange: (window: ContextWindowInfo) => void;
}

/**
 * What one model's context window is and where that came from: the setting, then a refusal's figure, then the
 * server's metadata (asked once, refreshed after the TTL behind the answers), then the known table, then the
 * conservative default.
 */
export class ServerWindow {
  #window: ContextWindowInfo;
  #discovered: { at: number; result: DiscoveredWindow } | null = null;
  #discovering: Promise<ContextWindowInfo> | null = null;
  /** the smallest window a refusal stated: no later answer of the server's metadata raises it */
  #refused: number | null = null;

  constructor(private readonly o: ServerWindowOptions) {
    this.#window = this.#from(null);
  }

  get current(): ContextWindowInfo {
    return this.#window;
  }

  /** llama.cpp tells how many requests it runs at once (its slots) */
  get slots(): number | undefined {
    return this.#discovered?.result.slots ?? undefined;
  }

  /**
   * Learns the window from the server (once, then again after the TTL), without ever sending a chat request.
   * Never throws: a server that tells nothing keeps the known table's window or the conservative default.
   */
  resolve(signal?: AbortSignal): Promise<ContextWindowInfo> {
    if (!this.o.discover) return Promise.resolve(this.#window);
    const d = this.#discovered;
    const ttl = d?.result.server === "ollama" ? Math.min(this.o.ttlMs, 30_000) : this.o.ttlMs;
    if (d && Date.now() - d.at < ttl) return Promise.resolve(this.#window);
    // one discovery for every caller, never bound to one run's stop button
    this.#discovering ??= discoverContextWindow({
      baseURL: this.o.baseURL,
      model: this.o.model,
      ...(this.o.apiKey ? { apiKey: this.o.apiKey } : {}),
      ...(this.o.fetch ? { fetch: this.o.fetch } : {}),
    })
      .then((result) => {
        // a server that told its window and now does not answer (a timeout, a restart) keeps the window it told
        const kept = result.tokens === null && this.#discovered?.result.tokens != null ? this.#discovered.result : result;
        this.#discovered = { at: Date.now(), result: kept };
        this.#set(this.#from(kept));
        return this.#window;
      })
      .finally(() => {
        this.#discovering = null;
      });
    // once a window is known, a refresh runs behind the answers instead of in front of them
    if (d) return Promise.resolve(this.#window);
    return signal ? Promise.race([this.#discovering, abortedWith(signal, this.#window)]) : this.#discovering;
  }

  /** A refusal stated the server's window: every later request is built inside it. */
  learnFromRefusal(error: LlmError): void {
    if (error.code !== "provider_context_length" || error.contextLimit === null || this.o.setting !== null) return;
    if (this.#refused !== null && this.#refused <= error.contextLimit) return;
    this.#refused = error.contextLimit;
    this.#set(this.#from(this.#discovered?.result ?? null));
  }

  /** An answer came back: Ollama loads a model on its first request, so ask again for the context it loaded with. */
  answered(): void {
    const d = this.#discovered;
    if (d?.result.silentTruncation && d.result.detail.includes("not loaded")) this.#discovered = { ...d, at: 0 };
  }

  #from(found: DiscoveredWindow | null): ContextWindowInfo {
    const server = found?.server ?? (this.o.isOpenAI ? "openai" : null);
    if (this.o.setting !== null) return { tokens: this.o.setting, source: "setting", detail: "ALMA_CONTEXT_WINDOW", server };
    const told = found?.tokens ?? null;
    if (this.#refused !== null && (told === null || this.#refused < told)) {
      return { tokens: this.#refused, source: "error", detail: `the server refused a longer request: its window is ${this.#refused} tokens`, server };
    }
    if (told !== null && found) return { tokens: told, source: "server", detail: found.detail, server: found.server };
    if (this.o.known !== null) return { tokens: this.o.known, source: "known", detail: `OpenAI's published window for ${this.o.model}`, server };
    return {
      tokens: DEFAULT_OPENAI_COMPATIBLE_WINDOW,
      source: "default",
      detail: `assumed ${DEFAULT_OPENAI_COMPATIBLE_WINDOW} tokens: ${found?.detail ?? "the server does not tell its window"}; set ALMA_CONTEXT_WINDOW to the model's real window`,
      server,
    };
  }

  #set(next: ContextWindowInfo): void {
    const prev = this.#window;
    this.#window = next;
    if (prev.tokens !== next.tokens || prev.source !== next.source || prev.detail !== next.detail) this.o.onChange(next);
  }
}

/** Resolves with `value` once `signal` aborts (a caller that stops waiting; the shared work goes on). */
function abortedWith<T>(signal: AbortSignal, value: T): Promise<T> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(value);
    signal.addEventListener("abort", () => resolve(value), { once: true });
  });
}
