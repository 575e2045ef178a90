import { describe, expect, it } from "vitest";
import { applyRunEvent, createRunState, type PlanStep, type RunEvent, type RunMetrics, type RunState, type ServerFrame } from "@alma/protocol";
import { chatReducer, initialChatState, streamingRunId, type ChatInput, type ChatState } from "./chat-state.js";

const metrics: RunMetrics = {
  receivedAt: 1000,
  requestBuiltMs: 1,
  upstreamStartedMs: 2,
  firstTokenMs: 10,
  lastTokenMs: 50,
  totalMs: 55,
  tokensPerSecond: 25,
  promptTokens: 12,
  completionTokens: 3,
  cacheHit: false,
  retries: 0,
  provider: "openai",
  model: "fake",
  steps: [],
  context: null,
};

/**
 * What the client hands the page: run events folded per run (as each run handle does, with the protocol's fold)
 * and every other frame as it is. Keyed by state, so each test's page has its own handles.
 */
const handles = new WeakMap<ChatState, Map<string, RunState>>();
const clientIds = new Map<string, string>([
  ["r1", "cm1"],
  ["r2", "cm2"],
]);

function inputsOf(state: ChatState, fs: ServerFrame[], at0: number): { items: ChatInput[]; folds: Map<string, RunState> } {
  const folds = new Map(handles.get(state) ?? []);
  const items: ChatInput[] = fs.map((frame, i): ChatInput => {
    const at = at0 + i;
    if (!frame.type.startsWith("run.")) {
      if (frame.type === "conversation.history.result" && frame.activeRun) folds.set(frame.activeRun.runId, frame.activeRun.state);
      return { kind: "frame", frame, at };
    }
    const event = frame as RunEvent;
    const next = applyRunEvent(folds.get(event.runId) ?? createRunState({ runId: event.runId }), event);
    folds.set(event.runId, next);
    return { kind: "run", state: next, at, clientMessageId: clientIds.get(event.runId) ?? null };
  });
  return { items, folds };
}

function frames(state: ChatState, ...fs: ServerFrame[]): ChatState {
  const { items, folds } = inputsOf(state, fs, 2000);
  const next = items.reduce((s, item) => chatReducer(s, { type: "inputs", items: [item] }), state);
  handles.set(next, folds);
  return next;
}

/** the same, delivered as one batch, as the page does once per animation frame */
function batch(state: ChatState, at0: number, ...fs: ServerFrame[]): ChatState {
  const { items, folds } = inputsOf(state, fs, at0);
  const next = chatReducer(state, { type: "inputs", items });
  handles.set(next, folds);
  return next;
}

/** carries the page's handles across a local action (send, stop, …) */
function act(state: ChatState, action: Parameters<typeof chatReducer>[1]): ChatState {
  const next = chatReducer(state, action);
  handles.set(next, handles.get(state) ?? new Map());
  return next;
}

function started(runId = "r1", index = 0): RunEvent {
  return {
    type: "run.started",
    runId,
    index,
    at: 1,
    conversationId: "c1",
    userMessageId: "u1",
    assistantMessageId: `a-${runId}`,
    taskType: "conversational",
    classification: { type: "conversational", source: "rules", confidence: 0.9 },
    provider: "openai",
    model: "fake",
  };
}

function token(index: number, seq: number, text: string, runId = "r1", stepId: string | null = null): RunEvent {
  return { type: "run.token", runId, index, at: 1 + index, seq, text, agent: stepId ? "researcher" : "manager", stepId };
}

function completed(index: number, finishReason: "stop" | "stopped" | "length" = "stop", runId = "r1"): RunEvent {
  return {
    type: "run.completed",
    runId,
    index,
    at: 1,
    conversationId: "c1",
    assistantMessageId: `a-${runId}`,
    finishReason,
    usage: { promptTokens: 12, completionTokens: 3, reported: true },
    metrics,
    cacheHit: false,
  };
}

function sent(): ChatState {
  const s = act(initialChatState, { type: "send", clientMessageId: "cm1", content: "hi", now: 1000 });
  return frames(s, { type: "message.accepted", clientMessageId: "cm1", conversationId: "c1", userMessageId: "u1", runId: "r1", duplicate: false });
}

describe("chatReducer", () => {
  it("shows the user's message at once, then the answer growing token by token", () => {
    let s = act(initialChatState, { type: "send", clientMessageId: "cm1", content: "hi", now: 1000 });
    expect(s.messages).toHaveLength(1);
    expect(s.messages[0]).toMatchObject({ role: "user", content: "hi", pending: true });
    s = frames(s, { type: "message.accepted", clientMessageId: "cm1", conversationId: "c1", userMessageId: "u1", runId: "r1", duplicate: false });
    expect(s.conversationId).toBe("c1");
    expect(s.messages[0]!.id).toBe("u1");
    s = frames(s, started(), token(1, 0, "Hel"), token(2, 1, "lo"));
    expect(s.messages).toHaveLength(2);
    expect(s.messages[1]).toMatchObject({ role: "assistant", content: "Hello", status: "streaming" });
    expect(s.messages[1]!.live?.tokens).toBe(2);
    expect(s.messages[1]!.live?.sentAt).toBe(1000);
    expect(streamingRunId(s)).toBe("r1");
    s = frames(s, completed(3));
    expect(s.messages[1]).toMatchObject({ status: "complete", finishReason: "stop" });
    expect(s.messages[1]!.metrics?.tokensPerSecond).toBe(25);
    expect(streamingRunId(s)).toBeNull();
    expect(s.activeRunId).toBeNull();
  });

  it("ignores duplicated events, so a resume that replays is harmless", () => {
    let s = frames(sent(), started(), token(1, 0, "a"), token(1, 0, "a"), token(2, 1, "b"), token(1, 0, "a"));
    expect(s.messages[1]!.content).toBe("ab");
    s = frames(s, started());
    expect(s.messages).toHaveLength(2);
  });

  it("applies a batch of run states in order, on the browser's clock", () => {
    const s = batch(sent(), 3000, started(), token(1, 0, "x"), token(2, 1, "y"), completed(3));
    expect(s.messages[1]).toMatchObject({ content: "xy", status: "complete" });
    // the server stamped the first token 1 ms after the start; the page saw the start at 3000
    expect(s.messages[1]!.live?.startedAt).toBe(3000);
    expect(s.messages[1]!.live?.firstTokenAt).toBe(3001);
  });

  it("stop marks the partial answer stopped at once and keeps it when the run completes", () => {
    let s = frames(sent(), started(), token(1, 0, "part"));
    s = act(s, { type: "stop", runId: "r1" });
    expect(s.messages[1]).toMatchObject({ content: "part", status: "stopped" });
    expect(streamingRunId(s)).toBeNull();
    s = frames(s, token(2, 1, "ial"), completed(3, "stopped"));
    expect(s.messages[1]).toMatchObject({ content: "partial", status: "stopped", finishReason: "stopped" });
    expect(s.messages[1]!.usage?.completionTokens).toBe(3);
  });

  it("a run error is kept on the message with its code and whether a retry may help", () => {
    const s = frames(sent(), started(), token(1, 0, "x"), {
      type: "run.error",
      runId: "r1",
      index: 2,
      at: 1,
      conversationId: "c1",
      assistantMessageId: "a-r1",
      code: "provider_unavailable",
      message: "The model server returned 503. Retry in a moment.",
      retryable: true,
      partial: true,
      metrics: null,
    });
    expect(s.messages[1]).toMatchObject({ status: "failed", content: "x", error: { code: "provider_unavailable", retryable: true } });
    expect(s.activeRunId).toBeNull();
  });

  it("regenerate drops the last answer and the next run answers the same question", () => {
    let s = frames(sent(), started(), token(1, 0, "first"), completed(2));
    s = act(s, { type: "regenerate", now: 5000 });
    expect(s.messages.map((m) => m.role)).toEqual(["user"]);
    s = frames(s, started("r2"), token(1, 0, "second", "r2"));
    expect(s.messages.map((m) => m.content)).toEqual(["hi", "second"]);
    expect(s.messages[1]!.live?.sentAt).toBe(5000);
  });

  it("edit replaces the user message and removes every later one", () => {
    let s = frames(sent(), started(), token(1, 0, "old answer"), completed(2));
    s = act(s, { type: "edit", messageId: "u1", clientMessageId: "cm2", content: "hello again", now: 6000 });
    expect(s.messages).toHaveLength(1);
    expect(s.messages[0]).toMatchObject({ id: "u1", content: "hello again", pending: true });
    s = frames(s, { ...started("r2"), userMessageId: "u2" } as RunEvent, token(1, 0, "new", "r2"));
    expect(s.messages.map((m) => [m.id, m.content])).toEqual([
      ["u2", "hello again"],
      ["a-r2", "new"],
    ]);
  });

  it("continue streams into the same cut answer", () => {
    let s = frames(sent(), started(), token(1, 0, "cut"), completed(2, "length"));
    expect(s.messages[1]!.finishReason).toBe("length");
    s = act(s, { type: "continue", messageId: "a-r1", now: 7000 });
    expect(s.messages[1]!.status).toBe("complete");
    s = frames(s, { ...started("r2"), assistantMessageId: "a-r1", continued: { text: "cut", steps: null } } as RunEvent, token(1, 0, " short", "r2"));
    expect(s.messages).toHaveLength(2);
    expect(s.messages[1]).toMatchObject({ id: "a-r1", content: "cut short", status: "streaming" });
  });

  it("an analytical run fills its plan and streams each step in place", () => {
    let s = frames(
      sent(),
      started(),
      {
        type: "run.plan",
        runId: "r1",
        index: 1,
        at: 1,
        steps: [
          { id: "s1", title: "Gather", agent: "researcher", dependsOn: [] },
          { id: "s2", title: "Compare", agent: "analyst", dependsOn: ["s1"] },
        ],
      },
      { type: "run.step.started", runId: "r1", index: 2, at: 1, stepId: "s1", title: "Gather", agent: "researcher" },
      token(3, 0, "facts", "r1", "s1"),
      { type: "run.progress", runId: "r1", index: 4, at: 1, phase: "step", label: "Step 1 of 2: Gather", step: { id: "s1", index: 0, total: 2 } },
    );
    const m = s.messages[1]!;
    expect(m.steps?.map((x) => [x.id, x.status, x.text])).toEqual([
      ["s1", "running", "facts"],
      ["s2", "pending", ""],
    ]);
    expect(m.content).toBe("");
    expect(m.progress).toMatchObject({ phase: "step", label: "Step 1 of 2: Gather" });
    s = frames(
      s,
      {
        type: "run.step.completed",
        runId: "r1",
        index: 5,
        at: 1,
        stepId: "s1",
        status: "complete",
        finishReason: "stop",
        note: null,
        completionTokens: 1,
        durationMs: 40,
      },
      token(6, 1, "Summary"),
    );
    expect(s.messages[1]!.steps![0]).toMatchObject({ status: "complete", durationMs: 40 });
    expect(s.messages[1]!.content).toBe("Summary");
  });

  describe("a plan that grows while the planner writes", () => {
    const gather: PlanStep = { id: "s1", title: "Gather", agent: "researcher", dependsOn: [] };
    const compare: PlanStep = { id: "s2", title: "Compare", agent: "researcher", dependsOn: ["s1"] };
    const judge: PlanStep = { id: "s3", title: "Judge", agent: "researcher", dependsOn: ["s2"] };
    const plan = (index: number, steps: PlanStep[], final?: boolean): RunEvent =>
      ({ type: "run.plan", runId: "r1", index, at: 1, steps, ...(final === undefined ? {} : { final }) }) as RunEvent;
    const stepStarted = (index: number, s: PlanStep): RunEvent => ({
      type: "run.step.started",
      runId: "r1",
      index,
      at: 1,
      stepId: s.id,
      title: s.title,
      agent: s.agent,
    });
    const stepDone = (index: number, stepId: string): RunEvent => ({
      type: "run.step.completed",
      runId: "r1",
      index,
      at: 1,
      stepId,
      status: "truncated",
      finishReason: "length",
      note: "cut at its budget",
      completionTokens: 2,
      durationMs: 30,
    });

    it("keeps the text and status of steps already running when a later run.plan arrives, and appends the new steps", () => {
      let s = frames(
        sent(),
        started(),
        plan(1, [gather, compare], false),
        stepStarted(2, gather),
        token(3, 0, "fa", "r1", "s1"),
        token(4, 1, "cts", "r1", "s1"),
      );
      expect(s.messages[1]!.planning).toBe(true);
      s = frames(s, plan(5, [gather, compare, judge], false), token(6, 2, "!", "r1", "s1"));
      expect(s.messages[1]!.steps?.map((x) => [x.id, x.status, x.text])).toEqual([
        ["s1", "running", "facts!"],
        ["s2", "pending", ""],
        ["s3", "pending", ""],
      ]);
      expect(s.messages[1]!.planning).toBe(true);
      s = frames(s, stepDone(7, "s1"), plan(8, [gather, compare, judge], true));
      expect(s.messages[1]!.steps![0]).toMatchObject({ text: "facts!", status: "truncated", note: "cut at its budget", durationMs: 30 });
      expect(s.messages[1]!.steps).toHaveLength(3);
      expect(s.messages[1]!.planning).toBe(false);
    });

    it("a run.plan without final is the whole plan", () => {
      const s = frames(sent(), started(), plan(1, [gather, compare]));
      expect(s.messages[1]!.planning).toBe(false);
    });

    it("a run that ends before the final plan is no longer planning", () => {
      const s = frames(sent(), started(), plan(1, [gather, compare], false), completed(2, "stopped"));
      expect(s.messages[1]!.planning).toBe(false);
    });

    it("stop ends the planning at once", () => {
      let s = frames(sent(), started(), plan(1, [gather, compare], false));
      s = act(s, { type: "stop", runId: "r1" });
      expect(s.messages[1]).toMatchObject({ status: "stopped", planning: false });
    });
  });

  it("ignores runs of another conversation", () => {
    const s = frames(sent(), { ...started("rx"), conversationId: "other" } as RunEvent);
    expect(s.messages).toHaveLength(1);
    expect(s.runs.rx).toBeUndefined();
  });

  it("history replaces the view and rejoins a run still streaming", () => {
    let s = act(initialChatState, { type: "open", conversationId: "c1" });
    expect(s.loadingHistory).toBe(true);
    const base = {
      conversationId: "c1",
      createdAt: 1,
      clientMessageId: null,
      taskType: null,
      pinned: false,
      steps: null,
      finishReason: null,
      usage: null,
      metrics: null,
      error: null,
    };
    s = frames(s, {
      type: "conversation.history.result",
      conversation: { id: "c1", title: "Greeting", createdAt: 1, updatedAt: 2, summary: null, summarizedCount: 0 },
      messages: [
        { ...base, id: "u1", role: "user", content: "hi", status: "complete", runId: null },
        { ...base, id: "a-r1", role: "assistant", content: "Hel", status: "streaming", runId: "r1" },
      ],
      pinnedFacts: [],
      activeRun: {
        runId: "r1",
        lastIndex: 4,
        state: {
          ...createRunState({ runId: "r1" }),
          conversationId: "c1",
          userMessageId: "u1",
          assistantMessageId: "a-r1",
          lastIndex: 4,
          tokens: 1,
          text: "Hel",
          startedAt: 1,
          progress: { phase: "generating", label: "Writing the answer", step: null },
          context: {
            contextWindow: 2048,
            promptBudget: 1500,
            outputBudget: 500,
            promptTokens: 40,
            messagesIn: 1,
            messagesTotal: 1,
            messagesTrimmed: 0,
            messagesSummarized: 0,
            pinnedFacts: 0,
            hasSummary: false,
            fill: 0.02,
            tokenizer: "o200k",
            retrimmed: false,
          },
        },
      },
      context: null,
    });
    expect(s.title).toBe("Greeting");
    expect(s.loadingHistory).toBe(false);
    expect(streamingRunId(s)).toBe("r1");
    // the progress label and the context meter come back with the run's state, not only its text
    expect(s.messages[1]!.progress?.label).toBe("Writing the answer");
    expect(s.context?.contextWindow).toBe(2048);
    s = frames(s, token(5, 3, "lo"));
    expect(s.messages[1]!.content).toBe("Hello");
  });

  it("a refused send shows its error on the message", () => {
    let s = act(initialChatState, { type: "send", clientMessageId: "cm1", content: "hi", now: 1 });
    s = act(s, { type: "sendFailed", clientMessageId: "cm1", error: { code: "model_not_ready", message: "No model is ready.", retryable: true } });
    expect(s.messages[0]).toMatchObject({ pending: false, error: { code: "model_not_ready" } });
  });

  it("a run the client lost is marked failed with the reason; a reload asks for the history again", () => {
    let s = frames(sent(), started(), token(1, 0, "half"));
    s = act(s, { type: "runFailed", runId: "r1", error: { code: "connection_lost", message: "The connection was lost.", retryable: true } });
    expect(s.messages[1]).toMatchObject({ status: "failed", content: "half", error: { code: "connection_lost" } });
    expect(streamingRunId(s)).toBeNull();
    s = act(s, { type: "reload" });
    expect(s.loadingHistory).toBe(true);
    expect(s.messages).toHaveLength(2);
  });

  it("an error about a run or a request is left to its handle; only one about nothing in particular is a notice", () => {
    let s = frames(sent(), started(), token(1, 0, "half"));
    s = frames(s, {
      type: "error",
      code: "not_found",
      message: "That run has ended and its answer is stored.",
      retryable: false,
      frameType: "run.resume",
      runId: "r1",
    });
    expect(s.notice).toBeNull();
    s = frames(s, { type: "error", code: "stream_interrupted", message: "This connection fell behind.", retryable: true, runId: "r1" });
    expect(s.notice).toBeNull();
    s = frames(s, { type: "error", code: "invalid_frame", message: "That frame is not valid.", retryable: false });
    expect(s.notice?.code).toBe("invalid_frame");
  });
});

describe("a tab that follows a conversation another tab writes in", () => {
  const msg = (id: string, role: "user" | "assistant", content: string, clientMessageId: string | null = null) => ({
    id,
    conversationId: "c1",
    role,
    content,
    status: "complete" as const,
    createdAt: 1,
    clientMessageId,
    runId: role === "assistant" ? `run-${id}` : null,
    taskType: null,
    pinned: false,
    steps: null,
    finishReason: role === "assistant" ? ("stop" as const) : null,
    usage: null,
    metrics: null,
    error: null,
  });
  const opened = (): ChatState =>
    frames({ ...initialChatState, conversationId: "c1", loadingHistory: true }, {
      type: "conversation.history.result",
      conversation: { id: "c1", title: "t", createdAt: 1, updatedAt: 1, summary: null, summarizedCount: 0 },
      messages: [msg("u0", "user", "first question"), msg("a0", "assistant", "first answer")],
      pinnedFacts: [],
      activeRun: null,
      context: null,
    } as ServerFrame);

  it("shows the other tab's new message in place, and its answer streams after it, never over the earlier answer", () => {
    let s = opened();
    s = frames(
      s,
      { type: "message.added", conversationId: "c1", message: msg("u1", "user", "second question", "other-tab-cm"), after: "a0" },
      started(),
      token(1, 0, "second "),
      token(2, 1, "answer"),
    );
    expect(s.messages.map((m) => [m.id, m.content])).toEqual([
      ["u0", "first question"],
      ["a0", "first answer"],
      ["u1", "second question"],
      ["a-r1", "second answer"],
    ]);
  });

  it("an edit in the other tab replaces what followed the edited message; its own echo is ignored", () => {
    let s = opened();
    s = frames(s, { type: "message.added", conversationId: "c1", message: msg("u2", "user", "edited first"), after: null });
    expect(s.messages.map((m) => m.id)).toEqual(["u2"]);
    const again = frames(s, { type: "message.added", conversationId: "c1", message: msg("u2", "user", "edited first"), after: null });
    expect(again.messages).toBe(s.messages);
    // a view that does not know the message it follows reloads the history instead of guessing
    const lost = frames(opened(), { type: "message.added", conversationId: "c1", message: msg("u9", "user", "x"), after: "unknown" });
    expect(lost.loadingHistory).toBe(true);
  });
});
