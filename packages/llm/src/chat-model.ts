import type { ContextWindowInfo, ModelStatus } from "@alma/protocol";
import type { ChatMessage, ToolCall } from "./chat-message.js";

/** A function the model may call (OpenAI `tools[].function`): its arguments as a JSON Schema. */
export interface ModelTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface GenerateOptions {
  /** hard cap on completion tokens; every call must be bounded */
  maxOutputTokens: number;
  temperature?: number;
  signal?: AbortSignal;
  /** ask for a JSON object (OpenAI `response_format: json_object`, a JSON grammar for local models) */
  json?: boolean;
  /**
   * functions the model may call through its own function calling (OpenAI `tools`, node-llama-cpp functions);
   * a call ends the reply with `tool_call` chunks and finish reason "tool_calls". Only sent when `supportsTools` is true.
   */
  tools?: ModelTool[];
}

export interface StreamUsage {
  promptTokens: number;
  completionTokens: number;
  /** true when the provider reported it; false when counted by alma */
  reported: boolean;
}

export type ModelFinishReason = "stop" | "length" | "content_filter" | "tool_calls";

export type StreamChunk =
  | { type: "delta"; text: string }
  /** one whole call, assembled from the streamed fragments; all of a reply's calls come before its `done` */
  | { type: "tool_call"; call: ToolCall }
  | {
      type: "done";
      finishReason: ModelFinishReason;
      usage: StreamUsage;
      /** the model that answered, as the server named it (may be a dated or resolved form of the requested one); for telemetry */
      model?: string;
    };

/**
 * The one interface every model provider implements. `stream` yields text deltas as the model
 * produces them and ends with exactly one `done` chunk. Failures throw an `LlmError`; an aborted
 * signal ends the stream by throwing an `LlmError` with code `aborted`.
 */
export interface ChatModel {
  /** "openai" | "local" | "scripted" */
  readonly provider: string;
  /** the model's name as the provider knows it */
  readonly model: string;
  status(): ModelStatus;
  /** subscribe to status changes (loading, download progress, ready); returns an unsubscribe function */
  onStatus(listener: (status: ModelStatus) => void): () => void;
  /** the context window in tokens when known (a local model reads it from the loaded model) */
  contextWindow(): number | null;
  /** the window with where it came from (setting, server, refusal, known table, engine, default), when known */
  contextWindowInfo?(): ContextWindowInfo | null;
  /** resolves once the window is learned (an OpenAI-compatible server is asked once, then again when it may have changed) */
  resolveContextWindow?(signal?: AbortSignal): Promise<ContextWindowInfo | null>;
  /** how many requests the model serves at once at full speed (the embedded engine: one); unset: several */
  readonly parallelism?: number;
  /**
   * true when the model takes `tools` and answers with tool calls; false or absent: workers use the JSON tool
   * convention instead. It may turn false once a server refuses `tools` (Ollama models without tool support,
   * llama.cpp without --jinja).
   */
  supportsTools?(): boolean;
  stream(messages: ChatMessage[], options: GenerateOptions): AsyncIterable<StreamChunk>;
  /** the model's own tokenizer when it has one (local models); count of tokens for the rendered chat */
  countPromptTokens?(messages: ChatMessage[]): Promise<number>;
  close(): Promise<void>;
}
