import type { ContextWindowInfo, ModelStatus } from "@alma/protocol";
import { setImmediate as nextTurn } from "node:timers/promises";
import { abortableSleep } from "./abortable-sleep.js";
import type { ChatMessage } from "./chat-message.js";
import type { ChatModel, GenerateOptions, ModelFinishReason, StreamChunk } from "./chat-model.js";
import { countOpenAIPromptTokens } from "./count-openai-tokens.js";
import { LlmError } from "./llm-error.js";
import { StatusHolder } from "./status-holder.js";

/** What the scripted model answers to one request; a bare string is `{ text }`. */
export interface ScriptedReply {
  /** split into word-ish tokens ("Hello", ",", " world") */
  text?: string;
  /** explicit tokens (win over `text`) */
  tokens?: string[];
  /** overrides the model's rate for this reply */
  tokensPerSecond?: number;
  /** throw this after `failAfterTokens` tokens (default 0: before any) */
  error?: LlmError;
  failAfterTokens?: number;
  /** calls to make after the text (only when the request offered tools): the reply then ends with finish "tool_calls" */
  toolCalls?: Array<{ name: string; arguments: string | Record<string, unknown>; id?: string }>;
}

export type ScriptedReplyFn = (
  messages: ChatMessage[],
  options: GenerateOptions,
  requestIndex: number,
) => ScriptedReply | string | Promise<ScriptedReply | string>;

export interface ScriptedChatModelOptions {
  model?: string;
  /** 0 = as fast as possible (the default) */
  tokensPerSecond?: number;
  reply?: string | ScriptedReplyFn;
  contextWindow?: number | null;
  /** whether it takes `tools` (function calling); default true. False: workers fall back to the JSON convention */
  supportsTools?: boolean;
}

const TOKEN_PATTERN = /\s*(?:[\p{L}\p{N}_']+|[^\s\p{L}\p{N}_'])|\s+$/gu;
// without a macrotask now and then, an as-fast-as-possible stream would starve sockets and timers
const YIELD_EVERY = 64;

function defaultReply(messages: ChatMessage[]): string {
  const lastUser = [...messages].reverse().find((m) => m.role === "user");
  return `You said: ${lastUser?.content ?? "nothing"}`;
}

/** A deterministic model for tests and benchmarks: programmable replies streamed at a fixed rate. Never chosen by default. */
export class ScriptedChatModel implements ChatModel {
  readonly provider = "scripted";
  readonly model: string;
  readonly #tokensPerSecond: number;
  readonly #reply: ScriptedReplyFn;
  readonly #contextWindow: number | null;
  readonly #status: StatusHolder;
  readonly #supportsTools: boolean;
  #requests = 0;

  constructor(options: ScriptedChatModelOptions = {}) {
    this.model = options.model ?? "scripted";
    this.#tokensPerSecond = options.tokensPerSecond ?? 0;
    const reply = options.reply;
    this.#reply = typeof reply === "string" ? () => reply : (reply ?? defaultReply);
    this.#contextWindow = options.contextWindow === undefined ? 8192 : options.contextWindow;
    this.#status = new StatusHolder(StatusHolder.ready(this.provider, this.model, this.#contextWindow));
    this.#supportsTools = options.supportsTools ?? true;
  }

  supportsTools(): boolean {
    return this.#supportsTools;
  }

  /** requests served so far */
  get requestCount(): number {
    return this.#requests;
  }

  status(): ModelStatus {
    return this.#status.get();
  }

  onStatus(listener: (status: ModelStatus) => void): () => void {
    return this.#status.subscribe(listener);
  }

  contextWindow(): number | null {
    return this.#contextWindow;
  }

  contextWindowInfo(): ContextWindowInfo | null {
    return this.#contextWindow === null ? null : { tokens: this.#contextWindow, source: "engine", detail: "the scripted model's window", server: "scripted" };
  }

  async countPromptTokens(messages: ChatMessage[]): Promise<number> {
    return countOpenAIPromptTokens(messages);
  }

  async *stream(messages: ChatMessage[], options: GenerateOptions): AsyncGenerator<StreamChunk> {
    const { signal } = options;
    const aborted = (afterFirstToken: boolean) => new LlmError("aborted", "the request was stopped", { afterFirstToken });
    if (signal?.aborted) throw aborted(false);
    const index = this.#requests++;
    const raw = await this.#reply(messages, options, index);
    const reply: ScriptedReply = typeof raw === "string" ? { text: raw } : raw;
    let tokens = reply.tokens ?? (reply.text ?? "").match(TOKEN_PATTERN) ?? [];
    let finishReason: ModelFinishReason = "stop";
    if (tokens.length > options.maxOutputTokens) {
      tokens = tokens.slice(0, options.maxOutputTokens);
      finishReason = "length";
    }
    const rate = reply.tokensPerSecond ?? this.#tokensPerSecond;
    const started = performance.now();
    for (const [i, token] of tokens.entries()) {
      if (reply.error && i === (reply.failAfterTokens ?? 0)) throw reply.error;
      if (rate > 0) {
        // scheduled from the start so timer jitter does not accumulate
        const wait = started + ((i + 1) * 1000) / rate - performance.now();
        if (wait > 0) await abortableSleep(wait, signal);
      } else if (i % YIELD_EVERY === YIELD_EVERY - 1) {
        await nextTurn();
      }
      if (signal?.aborted) throw aborted(i > 0);
      yield { type: "delta", text: token };
    }
    if (reply.error) throw reply.error;
    if (signal?.aborted) throw aborted(tokens.length > 0);
    const calls = this.#supportsTools && options.tools?.length && finishReason === "stop" ? (reply.toolCalls ?? []) : [];
    for (const [i, c] of calls.entries()) {
      const args = typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments);
      yield { type: "tool_call", call: { id: c.id ?? `call_${index}_${i}`, name: c.name, arguments: args } };
    }
    if (calls.length > 0) finishReason = "tool_calls";
    yield {
      type: "done",
      finishReason,
      usage: { promptTokens: countOpenAIPromptTokens(messages), completionTokens: tokens.length, reported: true },
    };
  }

  async close(): Promise<void> {}
}
