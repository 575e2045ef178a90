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

/** One step of a made-up run: plan a new step, start the next planned one, end the running one, a token, a progress note. */
export type RunEventKind = "plan" | "start" | "end" | "token" | "progress";

export interface MixedRunInit {
  runId: string;
  conversationId: string;
  kinds: readonly RunEventKind[];
  /** how it ends */
  end: "completed" | "error";
}

/**
 * A run.started, then one event per kind (a kind that does not fit, such as "end" with no step running, is a
 * token instead), then the terminal event: plans that grow, steps that start and end, tokens of steps and of the
 * answer, numbered as the server numbers them. Every event is valid by the protocol's schemas.
 */
export function mixedRunEvents(init: MixedRunInit): RunEvent[] {
  const { runId, conversationId } = init;
  const base = (index: number) => ({ runId, index, at: 1_700_000_000_000 + index * 10 });
  const [started] = scriptedRunEvents({ runId, conversationId, tokens: [] });
  const events: RunEvent[] = [{ ...started!, taskType: "analytical", classification: { type: "analytical", source: "rules", confidence: 1 } } as RunEvent];
  const planned: { id: string; title: string; agent: string; dependsOn: string[] }[] = [];
  let nextToStart = 0;
  let running: string | null = null;
  let seq = 0;
  const statuses = ["complete", "truncated", "failed"] as const;
  const token = () => {
    const text = `w${seq} `;
    events.push({ type: "run.token", ...base(events.length), seq: seq++, text, agent: running ? "researcher" : "manager", stepId: running });
  };
  for (const kind of init.kinds) {
    if (kind === "plan") {
      planned.push({ id: `s${planned.length + 1}`, title: `Step ${planned.length + 1}`, agent: "researcher", dependsOn: [] });
      events.push({ type: "run.plan", ...base(events.length), steps: planned.map((s) => ({ ...s })), final: false });
    } else if (kind === "start" && running === null && nextToStart < planned.length) {
      const step = planned[nextToStart++]!;
      running = step.id;
      events.push({ type: "run.step.started", ...base(events.length), stepId: step.id, title: step.title, agent: step.agent });
    } else if (kind === "end" && running !== null) {
      const status = statuses[events.length % statuses.length]!;
      events.push({
        type: "run.step.completed",
        ...base(events.length),
        stepId: running,
        status,
        finishReason: status === "truncated" ? "length" : status === "failed" ? "error" : "stop",
        note: status === "complete" ? null : `ended ${status}`,
        completionTokens: 1,
        durationMs: 5,
      });
      running = null;
    } else if (kind === "progress") {
      events.push({ type: "run.progress", ...base(events.length), phase: running ? "step" : "generating", label: `At ${events.length}` });
    } else token();
  }
  const [, last] = scriptedRunEvents({
    runId,
    conversationId,
    tokens: [],
    ...(init.end === "error" ? { error: { code: "provider_unavailable", message: "The provider is down." } } : {}),
  });
  events.push({ ...last!, index: events.length, at: base(events.length).at } as RunEvent);
  return events;
}
