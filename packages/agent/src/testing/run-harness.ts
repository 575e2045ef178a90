import type { ChatMessage } from "@alma/llm";
import { runOptionsSchema, type ContextStats, type RunOptions } from "@alma/protocol";
import type { AgentRunInput, BuildContext } from "../agent-run.js";
import type { AgentEvent } from "../run-scope.js";

export interface Harness {
  input: AgentRunInput;
  events: AgentEvent[];
  marks: { requestBuilt: number; upstreamStarted: number; retried: number };
  buildCalls: Array<Parameters<BuildContext>[0]>;
  /** the tokens' texts joined per stepId ("manager" for null) */
  textBy(): Map<string, string>;
  types(): string[];
}

export function stats(messages: ChatMessage[]): ContextStats {
  return {
    contextWindow: 8192,
    promptBudget: 6000,
    outputBudget: 1000,
    promptTokens: messages.length * 10,
    messagesIn: messages.length,
    messagesTotal: messages.length,
    messagesTrimmed: 0,
    messagesSummarized: 0,
    pinnedFacts: 0,
    hasSummary: false,
    fill: 0.1,
    tokenizer: "test",
    retrimmed: false,
  };
}

/** A run input whose buildContext returns the history plus the user text behind the given system prompt. */
export function harness(opts: {
  userText: string;
  options?: Partial<RunOptions>;
  history?: ChatMessage[];
  signal?: AbortSignal;
  continueFrom?: string;
  receivedAt?: number;
  onEvent?: (e: AgentEvent) => void;
}): Harness {
  const events: AgentEvent[] = [];
  const marks = { requestBuilt: 0, upstreamStarted: 0, retried: 0 };
  const buildCalls: Array<Parameters<BuildContext>[0]> = [];
  const history = opts.history ?? [];
  const input: AgentRunInput = {
    conversationId: "c1",
    userMessageId: "u1",
    assistantMessageId: "a1",
    userText: opts.userText,
    options: runOptionsSchema.parse(opts.options ?? {}),
    buildContext: async (args) => {
      buildCalls.push(args);
      // a shrink drops the history, as the memory module would with a smaller budget
      const kept = args.shrink ? [] : history;
      const messages: ChatMessage[] = [{ role: "system", content: args.system }, ...kept, { role: "user", content: opts.userText }];
      return { messages, stats: stats(messages) };
    },
    signal: opts.signal ?? new AbortController().signal,
    emit: (e) => {
      events.push(e);
      opts.onEvent?.(e);
    },
    meter: {
      requestBuilt: () => void marks.requestBuilt++,
      upstreamStarted: () => void marks.upstreamStarted++,
      retried: () => void marks.retried++,
    },
    receivedAt: opts.receivedAt ?? Date.now(),
    ...(opts.continueFrom !== undefined ? { continueFrom: opts.continueFrom } : {}),
  };
  return {
    input,
    events,
    marks,
    buildCalls,
    types: () => events.map((e) => e.type),
    textBy: () => {
      const m = new Map<string, string>();
      for (const e of events) if (e.type === "run.token") m.set(e.stepId ?? "manager", (m.get(e.stepId ?? "manager") ?? "") + e.text);
      return m;
    },
  };
}

/** the run.progress events among `events` */
export function progressEvents(events: AgentEvent[]): Array<Extract<AgentEvent, { type: "run.progress" }>> {
  return events.filter((e): e is Extract<AgentEvent, { type: "run.progress" }> => e.type === "run.progress");
}
