import { randomBytes } from "node:crypto";
import type { OpenAIChatMessage, OpenAIToolChoice } from "./openai-chat-request-schema.js";

/** Which real server the fake imitates: its metadata endpoints, its window and how it treats an over-long request. */
export type FakeServerFlavour = "openai" | "vllm" | "llamacpp" | "ollama" | "lmstudio";

export interface FakeFlavourConfig {
  flavour?: FakeServerFlavour;
  /**
   * The runtime window the flavour advertises and enforces. openai: none unless set; vllm: 32768; llamacpp: the
   * per-slot window, 4096; ollama: the loaded context, `ollamaNumCtx` else 4096; lmstudio: the loaded length, 4096.
   */
  contextWindow?: number;
  /** the model's training context (llama.cpp n_ctx_train, Ollama <arch>.context_length, LM Studio max_context_length) */
  trainedContextWindow?: number;
  /** llama.cpp parallel slots (`-np`); default 1 */
  slots?: number;
  /** Ollama: `num_ctx` set in the model's parameters (shown by /api/show) */
  ollamaNumCtx?: number;
  /** Ollama: list the models in /api/ps before any chat request loads them */
  ollamaPreloaded?: boolean;
  /**
   * refuse every request that offers `tools`, the way the flavour does for a model or setup without function
   * calling: Ollama 400 "registry.ollama.ai/library/<model> does not support tools", llama.cpp 500 "tools param
   * requires --jinja flag", vLLM 400 '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser
   * to be set', LM Studio 400 "Error rendering prompt with jinja template…", OpenAI 400 "Unsupported parameter: 'tools'…"
   */
  refuseTools?: boolean;
  models?: string[];
}

/** A response the flavour decided on: JSON, or plain text. */
export interface FakeFlavourResponse {
  status: number;
  json?: unknown;
  text?: string;
}

export interface FakePromptTruncation {
  /** messages kept, in order (system messages and the tail) */
  messages: OpenAIChatMessage[];
  droppedMessages: number;
  droppedPromptTokens: number;
  /** prompt tokens the model actually evaluated */
  promptTokens: number;
}

export interface FakeLengthDecision {
  /** the server refuses the request for its length */
  refusal: FakeFlavourResponse | null;
  /** most answer tokens before the window is full; null when the flavour sets no such cap */
  generationBudget: number | null;
  /** the server silently cut the prompt (Ollama) */
  truncation: FakePromptTruncation | null;
}

export interface FakeFlavour {
  name: FakeServerFlavour;
  /** the window enforced on chat requests (per slot for llama.cpp), null when none */
  contextWindow: number | null;
  trainedContextWindow: number;
  judgeLength(
    messages: OpenAIChatMessage[],
    promptTokens: number,
    maxTokens: number | null,
    count: (messages: OpenAIChatMessage[]) => number,
  ): FakeLengthDecision;
  /** the model exists (Ollama also knows "name" as "name:latest"); every model does when `models` is unset */
  knowsModel(model: string): boolean;
  /** a chat request for `model` was accepted (Ollama loads the model then) */
  noteChat(model: string): void;
  /** how streamed tool calls arrive: "fragments" (OpenAI: name first, then the arguments in pieces) or "whole" (Ollama) */
  toolCallStreaming: "fragments" | "whole";
  /** the made-up id of a call: OpenAI `call_` + 24 letters and digits, Ollama `call_` + 8 */
  toolCallId(): string;
  /** the refusal of a request that offers tools (`refuseTools`), null when it is accepted */
  judgeTools(model: string, toolChoice: OpenAIToolChoice | null): FakeFlavourResponse | null;
  /** the flavour's own endpoints, GET /v1/models included; null when the path is not one of them */
  route(method: string, path: string, body: unknown): FakeFlavourResponse | null;
  /** what the real server answers for a path it does not know */
  notFound(method: string, path: string): FakeFlavourResponse;
}

export type KnowsModel = (model: string) => boolean;

/** the `created` time every fake model lists */
export const CREATED = 1_700_000_000;

/** The request fits and the flavour sets no cap of its own on the answer. */
export const fits = (): FakeLengthDecision => ({ refusal: null, generationBudget: null, truncation: null });

/** The request fits; the answer may run to the end of the window. */
export function fitsUpTo(window: number, promptTokens: number): FakeLengthDecision {
  return { refusal: null, generationBudget: window - promptTokens, truncation: null };
}

/** The server refuses the request for its length with a 400 and this body. */
export function refuse(json: unknown): FakeLengthDecision {
  return { refusal: { status: 400, json }, generationBudget: null, truncation: null };
}

/** An OpenAI-style model list: `{ object: "list", data: [{ id, object: "model", ...entry(id) }] }`. */
export function modelList(ids: string[], entry: (id: string) => Record<string, unknown>): FakeFlavourResponse {
  return { status: 200, json: { object: "list", data: ids.map((id) => ({ id, object: "model", ...entry(id) })) } };
}

/** the training context when not configured: at least 32k, never below the runtime window */
export function trainedFor(config: FakeFlavourConfig, window: number): number {
  return config.trainedContextWindow ?? Math.max(32_768, window);
}

const ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** `call_` and `length` random letters and digits (`lower`: lowercase only, as Ollama makes them) */
export function randomCallId(length: number, lower = false): string {
  const chars = lower ? "abcdefghijklmnopqrstuvwxyz0123456789" : ID_CHARS;
  return `call_${[...randomBytes(length)].map((b) => chars[b % chars.length]).join("")}`;
}
