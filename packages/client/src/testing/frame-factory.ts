import { PROTOCOL_VERSION, type RunEvent, type ServerFrameOf } from "@alma/protocol";

export function welcomeFrame(overrides: Partial<ServerFrameOf<"welcome">> = {}): ServerFrameOf<"welcome"> {
  return {
    type: "welcome",
    protocolVersion: PROTOCOL_VERSION,
    serverVersion: "0.0.0-test",
    connectionId: "conn-test",
    model: { ready: true, provider: "scripted", model: "scripted", contextWindow: 4096, state: "ready", download: null, problem: null, setup: [] },
    limits: { maxFrameBytes: 1_048_576, maxMessageChars: 400_000, maxConcurrentRunsPerConnection: 4 },
    ...overrides,
  };
}

const metrics = (completionTokens: number) => ({
  receivedAt: 0,
  requestBuiltMs: 1,
  upstreamStartedMs: 2,
  firstTokenMs: 3,
  lastTokenMs: 4,
  totalMs: 5,
  tokensPerSecond: null,
  promptTokens: 7,
  completionTokens,
  cacheHit: false,
  retries: 0,
  provider: "scripted",
  model: "scripted",
  steps: [],
  context: null,
});

export interface ScriptedRunInit {
  runId: string;
  conversationId: string;
  tokens: string[];
  /** ends with run.error instead of run.completed */
  error?: { code: "provider_unavailable" | "stream_interrupted" | "model_not_ready"; message: string };
  finishReason?: "stop" | "stopped" | "length";
}

/** Every event of a simple (conversational) run, numbered as the server numbers them. */
export function scriptedRunEvents(init: ScriptedRunInit): RunEvent[] {
  const base = (index: number) => ({ runId: init.runId, index, at: 1_700_000_000_000 + index });
  const events: RunEvent[] = [
    {
      type: "run.started",
      ...base(0),
      conversationId: init.conversationId,
      userMessageId: "user-1",
      assistantMessageId: "assistant-1",
      taskType: "conversational",
      classification: { type: "conversational", source: "rules", confidence: 1 },
      provider: "scripted",
      model: "scripted",
    },
  ];
  init.tokens.forEach((text, seq) => {
    events.push({ type: "run.token", ...base(events.length), seq, text, agent: "manager", stepId: null });
  });
  if (init.error) {
    events.push({
      type: "run.error",
      ...base(events.length),
      conversationId: init.conversationId,
      assistantMessageId: "assistant-1",
      code: init.error.code,
      message: init.error.message,
      retryable: true,
      partial: init.tokens.length > 0,
      metrics: null,
    });
  } else {
    events.push({
      type: "run.completed",
      ...base(events.length),
      conversationId: init.conversationId,
      assistantMessageId: "assistant-1",
      finishReason: init.finishReason ?? "stop",
      usage: { promptTokens: 7, completionTokens: init.tokens.length, reported: true },
      metrics: metrics(init.tokens.length),
      cacheHit: false,
    });
  }
  return events;
}
