import type { RequestMetrics, RunMetrics } from "@alma/protocol";
import type { StepView, UiMessage } from "./ui-message";

/** Shared fixtures of the metrics panel's tests: an answer, a request, an analytical run's metrics. */

export const blankAnswer: UiMessage = {
  id: "a1",
  role: "assistant",
  content: "",
  status: "complete",
  pending: false,
  clientMessageId: null,
  runId: "r1",
  taskType: null,
  pinned: false,
  steps: null,
  planning: false,
  progress: null,
  finishReason: "stop",
  usage: null,
  metrics: null,
  cacheHit: false,
  error: null,
  createdAt: 0,
  live: null,
  attachments: [],
};

export function request(r: Partial<RequestMetrics> & Pick<RequestMetrics, "role">): RequestMetrics {
  return {
    stepId: null,
    agent: "manager",
    startMs: 0,
    firstTokenMs: 10,
    endMs: 100,
    promptTokens: 50,
    completionTokens: 10,
    tokensPerSecond: 100,
    maxTokens: 256,
    finishReason: "stop",
    ...r,
  };
}

export function step(s: Partial<StepView> & Pick<StepView, "id">): StepView {
  return {
    title: `Step ${s.id}`,
    agent: "analyst",
    dependsOn: [],
    text: "",
    status: "complete",
    note: null,
    durationMs: null,
    completionTokens: null,
    startedAt: null,
    firstTokenAt: null,
    tools: [],
    ...s,
  };
}

/** An analytical run as the server measured one: plan, two parallel steps (the first starts while the plan streams), synthesis. */
export function analyticalMetrics(over: Partial<RunMetrics> = {}): RunMetrics {
  return {
    receivedAt: 1_000_000,
    requestBuiltMs: 70,
    upstreamStartedMs: 78,
    firstTokenMs: 441,
    lastTokenMs: 5488,
    totalMs: 5490,
    tokensPerSecond: 52.4,
    promptTokens: 1667,
    completionTokens: 282,
    cacheHit: false,
    retries: 0,
    provider: "openai",
    model: "gpt-4o-mini-2024-07-18",
    steps: [
      {
        stepId: "s1",
        title: "Gather the facts",
        startMs: 386,
        firstTokenMs: 441,
        endMs: 2730,
        completionTokens: 90,
        finishReason: "stop",
        tokensPerSecond: 38.9,
      },
      {
        stepId: "s2",
        title: "Compare the options",
        startMs: 400,
        firstTokenMs: 460,
        endMs: 3000,
        completionTokens: 90,
        finishReason: "stop",
        tokensPerSecond: 36.1,
      },
    ],
    requests: [
      // out of start order on purpose: the server records a request when it ends
      request({
        role: "step",
        stepId: "s1",
        agent: "analyst",
        startMs: 396,
        firstTokenMs: 441,
        endMs: 2730,
        promptTokens: 124,
        completionTokens: 90,
        tokensPerSecond: 38.9,
        maxTokens: 337,
      }),
      request({
        role: "plan",
        startMs: 78,
        firstTokenMs: 217,
        endMs: 545,
        promptTokens: 197,
        completionTokens: 86,
        tokensPerSecond: 259.5,
        maxTokens: 310,
        finishReason: "aborted",
      }),
      request({
        role: "step",
        stepId: "s2",
        agent: "critic",
        startMs: 400,
        firstTokenMs: 460,
        endMs: 3000,
        promptTokens: 493,
        completionTokens: 90,
        tokensPerSecond: 36.1,
        maxTokens: 90,
        finishReason: "length",
      }),
      request({
        role: "synthesis",
        startMs: 3010,
        firstTokenMs: 3040,
        endMs: 5489,
        promptTokens: 853,
        completionTokens: 16,
        tokensPerSecond: 38.5,
        maxTokens: 1200,
      }),
    ],
    planningTokens: 86,
    classificationTokens: 0,
    context: {
      contextWindow: 8192,
      promptBudget: 5830,
      outputBudget: 2198,
      promptTokens: 152,
      messagesIn: 1,
      messagesTotal: 1,
      messagesTrimmed: 0,
      messagesSummarized: 0,
      pinnedFacts: 0,
      hasSummary: false,
      fill: 152 / 8192,
      tokenizer: "estimate",
      windowSource: "setting",
      retrimmed: false,
    },
    ...over,
  };
}
