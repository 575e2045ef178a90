import type { ChatMessage } from "@alma/llm";
import type { GenerationOutcome } from "./stream-generation.js";

/** One plan step as the manager hands it to a worker. */
export interface StepInput {
  /** the user's request */
  task: string;
  step: { id: string; title: string; instruction: string };
  /** 1-based position in the plan and the plan's length (the length so far while the planner is still writing) */
  index: number;
  total: number;
  /** results of the steps this one depends on (possibly partial) */
  dependencies: Array<{ id: string; title: string; text: string }>;
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
  /**
   * One model request over the run's context (the conversation as memory trimmed it, system prompt first): the
   * manager fits it to the window, retries outages, rebuilds it once after a refusal for length, measures it and
   * bounds it by the step's signal and budget. Never throws: failures come back as finishReason "error".
   */
  generate(build: (context: ChatMessage[]) => ChatMessage[], opts: { temperature: number; onDelta: (text: string) => void }): Promise<GenerationOutcome>;
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
