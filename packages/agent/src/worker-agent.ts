import type { ChatMessage, ModelTool, ToolCall } from "@alma/llm";
import type { ToolCallResult, ToolErrorInfo, ToolRegistry } from "@alma/tools";
import type { RequestMeasure } from "./agent-run.js";
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
  /** the reviewer's pass: the draft answer it checks against the dependencies (every step's result) */
  draft?: string;
}

export interface WorkerContext {
  /** send a delta to the client at once; the manager counts it against the budget and tags it with the step */
  emitToken(text: string): void;
  /** aborted by stop, by the run's deadline, or when the budget is reached */
  signal: AbortSignal;
  /** the step's output budget in tokens: every request of the step together stays within it */
  budget: number;
  /** the step this worker carries out */
  stepId: string;
  /**
   * One model request over the run's context (the conversation as memory trimmed it, system prompt first): the
   * manager fits it to the window, retries outages, rebuilds it once after a refusal for length, measures it and
   * bounds it by the step's signal and budget (`budget`: what is left of it for this request). `tools` are offered
   * through the model's function calling. Never throws: failures come back as finishReason "error".
   */
  generate(
    build: (context: ChatMessage[]) => ChatMessage[],
    opts: { temperature: number; onDelta: (text: string) => void; tools?: ModelTool[]; budget?: number },
  ): Promise<GenerationOutcome>;
  /** true while the model takes `tools` through its own function calling (it may turn false once a server refuses them) */
  supportsTools(): boolean;
  /**
   * Runs one call through the registry (never throws), bounded by the step's signal: emits run.tool.started and
   * run.tool.completed around it and traces it as `execute_tool {tool}`.
   */
  callTool(tools: ToolRegistry, call: ToolCall): Promise<ToolCallResult>;
  /** A call that could not even be read (JSON convention): reported like a failed call, nothing is run. */
  rejectToolCall(call: ToolCall, error: ToolErrorInfo): void;
  /** tokens the window leaves after the prompt `build` makes over the run's context (the safety margin kept) */
  room(build: (context: ChatMessage[]) => ChatMessage[]): Promise<number>;
  /** counts and cuts text the way the run's requests are counted */
  measure: RequestMeasure;
}

export interface WorkerResult {
  text: string;
  /** "aborted" when the signal ended it */
  finishReason: "stop" | "length" | "content_filter" | "aborted";
  completionTokens: number;
  promptTokens?: number;
  /** true when the provider reported the token figures */
  reported?: boolean;
  /** shown beside the step's status, e.g. that a tool was not available and the step answered without it */
  note?: string | null;
}

/**
 * A worker the manager delegates a plan step to (a kind of the agent registry: analyst, calculator, researcher).
 * Provider failures are thrown (an LlmError); the manager records the step as failed and carries on.
 */
export interface Agent {
  readonly name: string;
  run(input: StepInput, ctx: WorkerContext): Promise<WorkerResult>;
}
