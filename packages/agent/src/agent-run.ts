import type { ChatMessage } from "@alma/llm";
import type { RequestTelemetry } from "./gen-ai-telemetry.js";
import type {
  Classification,
  ContextWindowInfo,
  RequestMetrics,
  ErrorCode,
  ContextStats,
  FinishReason,
  RunEventDraft,
  RunOptions,
  StepRecord,
  TaskType,
  Usage,
} from "@alma/protocol";

/**
 * What the Manager Agent needs from the memory module: the conversation's messages trimmed to fit,
 * behind the given system prompt, leaving room for the output budget. `shrink` asks for a smaller
 * budget (used once after a provider still reports a context-length error).
 */
export type BuildContext = (args: {
  system: string;
  outputBudget: number;
  shrink?: number;
  /** the window to build inside when the run knows a smaller one than memory does (a refusal stated it) */
  contextWindow?: number;
}) => Promise<{
  messages: ChatMessage[];
  stats: ContextStats;
}>;

/**
 * The run's view of the model's window, with the counter memory trims by: every request is counted before it is
 * sent, so its max_tokens is what the window leaves after its prompt.
 */
export interface RequestMeasure {
  /** the window to stay inside now (it can shrink mid-run when the server states a smaller one) */
  window(): ContextWindowInfo;
  /** the tokens a whole request takes, counted the way memory counts */
  countRequest(messages: ChatMessage[]): Promise<number>;
  countText(text: string): Promise<number>;
  /** the longest prefix of `text` within `maxTokens` */
  truncate(text: string, maxTokens: number): Promise<string>;
}

export interface AgentRunInput {
  conversationId: string;
  userMessageId: string;
  assistantMessageId: string;
  /** the newest user message's text (already part of what buildContext returns) */
  userText: string;
  options: RunOptions;
  buildContext: BuildContext;
  /** how requests are counted and what window they must fit; without it, an estimate and the model's own window */
  measure?: RequestMeasure;
  /** aborted by stop, by the tab closing, or by the server shutting down */
  signal: AbortSignal;
  /**
   * Events in order; the run hub stamps runId, index, at and token seq. The agent emits run.started
   * first and never the terminal events: the server emits run.completed / run.error from the result.
   */
  emit: (event: Exclude<RunEventDraft, { type: "run.completed" | "run.error" }>) => void;
  /** timing marks for the run's metrics */
  meter: RunMeterMarks;
  /** epoch ms when the server received the message */
  receivedAt: number;
  /** for `run.continue`: the partial assistant text to continue from */
  continueFrom?: string;
  /**
   * the conversation's attached documents (their extracted text, PDFs with page spans), oldest first; the
   * researcher searches them, and one small enough for the budget may be inlined. Empty or absent: none.
   */
  documents?: readonly RunDocument[];
}

/** One attached document as a run reads it (`@alma/tools`' DocumentText, with what the store knows of it). */
export interface RunDocument {
  id: string;
  name: string;
  kind: "text" | "markdown" | "csv" | "json" | "pdf";
  text: string;
  /** PDFs: where each page's text lies in `text` */
  pages?: ReadonlyArray<{ number: number; start: number; end: number }>;
  /** the user message it was sent with */
  messageId: string | null;
}

export interface RunMeterMarks {
  /** the request to the model is built (memory done) */
  requestBuilt(): void;
  /** the first upstream model request was sent */
  upstreamStarted(): void;
  /** a retry of an upstream request (before any token) */
  retried(): void;
  /** one model request ended (offsets from receivedAt), hidden ones included, with what its gen_ai metrics are labelled by */
  request?(metrics: RequestMetrics, telemetry?: RequestTelemetry): void;
}

export interface AgentRunResult {
  taskType: TaskType;
  classification: Classification;
  finishReason: FinishReason;
  /** the full answer text (for analytical runs: the synthesis) */
  text: string;
  steps: StepRecord[] | null;
  usage: Usage;
  cacheHit: boolean;
  /** set when the run ended with an error; the server emits run.error with it (partial text kept) */
  error: { code: ErrorCode; message: string; retryable: boolean } | null;
}
