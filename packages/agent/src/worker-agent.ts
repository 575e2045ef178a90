import type { ChatMessage } from "@alma/llm";

/** One plan step as the manager hands it to a worker. */
export interface StepInput {
  /** the user's request */
  task: string;
  step: { id: string; title: string; instruction: string };
  /** 1-based position in the plan and the plan's length */
  index: number;
  total: number;
  /** results of the steps this one depends on (possibly partial) */
  dependencies: Array<{ id: string; title: string; text: string }>;
  /** the conversation as the memory module trimmed it, with the run's system prompt first */
  context: ChatMessage[];
  /** the system prompt the context was built with, so a worker can swap in its own and keep what memory added */
  contextSystem: string;
}

export interface WorkerContext {
  /** send a delta to the client at once; the manager counts it against the budget and tags it with the step */
  emitToken(text: string): void;
  /** aborted by stop, by the run's deadline, or when the budget is reached */
  signal: AbortSignal;
  /** the step's output budget in tokens */
  budget: number;
  /** report a retry before the first token, so the client sees it */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  /**
   * after the provider refused the request as too long (before any token): the conversation re-trimmed to a
   * smaller budget (once per run, shared by every step), or null when that is not possible
   */
  shrinkContext?: () => Promise<ChatMessage[] | null>;
}

export interface WorkerResult {
  text: string;
  /** "aborted" when the signal ended it */
  finishReason: "stop" | "length" | "content_filter" | "aborted";
  completionTokens: number;
  promptTokens?: number;
  /** true when the provider reported the token figures */
  reported?: boolean;
}

/**
 * A worker the manager delegates a plan step to: an analyst today; a researcher, critic or coder later.
 * Provider failures are thrown (an LlmError); the manager records the step as failed and carries on.
 */
export interface Agent {
  readonly name: string;
  run(input: StepInput, ctx: WorkerContext): Promise<WorkerResult>;
}
