import type { FastifyBaseLogger } from "fastify";
import type { AgentRunInput, AgentRunResult, BuildContext, RequestMeasure } from "@alma/agent";
import type { ChatModel } from "@alma/llm";
import type { ConversationStore } from "@alma/store";
import type { AppMetrics } from "../metrics/app-metrics.js";
import type { RunHub } from "./run-hub.js";

/** Runs the Manager Agent for one run (ManagerAgent.run in production). */
export interface RunAgent {
  run(input: AgentRunInput): Promise<AgentRunResult>;
  close?(): void | Promise<void>;
}

/** The memory module as the server uses it: one run's context, and the background summary after it. */
export interface ConversationMemory {
  /** builds the model request from the stored conversation, leaving out the answer being generated */
  contextFor(args: { conversationId: string; assistantMessageId: string }): BuildContext;
  /** how a run counts its requests and which window they must fit */
  measure?(): RequestMeasure;
  /** after a run: summarize messages that no longer fit the window, in the background */
  afterRun(conversationId: string): void;
  close(): Promise<void>;
}

/** The parts a run works with; the chat service holds the same ones plus its own. */
export interface RunServices {
  store: ConversationStore;
  hub: RunHub;
  metrics: AppMetrics;
  model: ChatModel;
  agent: RunAgent;
  memory: ConversationMemory;
  now: () => number;
  log: FastifyBaseLogger;
}
