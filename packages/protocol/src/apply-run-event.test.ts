import { describe, expect, it } from "vitest";
import { applyRunEvent, createRunState, foldRunEvents, mergePlanSteps, runEventFit, statusOfFinish } from "./apply-run-event.js";
import type { RunMetrics } from "./run-metrics.js";
import type { RunEvent, RunEventDraft } from "./server-frame.js";

const RUN = "run-1";

/** Numbers and stamps drafts as the server's live run does: index gap-free, seq over tokens, at 1 ms apart. */
function stamp(drafts: RunEventDraft[], runId = RUN): RunEvent[] {
  let seq = 0;
  return drafts.map((d, index) => {
    const e = { ...d, runId, index, at: 1000 + index } as RunEvent;
    if (e.type === "run.token") e.seq = seq++;
    return e;
  });
}

const metrics: RunMetrics = {
  receivedAt: 1000,
  firstTokenMs: 5,
  totalMs: 20,
  tokensPerSecond: 40,
  promptTokens: 10,
  completionTokens: 6,
  cacheHit: false,
  retries: 0,
  provider: "fake",
  model: "m",
  context: null,
  steps: [],
} as unknown as RunMetrics;

const started: RunEventDraft = {
  type: "run.started",
  conversationId: "c1",
  userMessageId: "u1",
  assistantMessageId: "a1",
  taskType: "analytical",
  classification: { taskType: "analytical", confidence: 1, method: "rules", reason: "test" } as never,
  provider: "fake",
  model: "m",
};

const analytical: RunEventDraft[] = [
  started,
  { type: "run.progress", phase: "planning", label: "Planning" },
  { type: "run.plan", steps: [{ id: "s1", title: "One", agent: "analyst", dependsOn: [] }], final: false },
  { type: "run.step.started", stepId: "s1", title: "One", agent: "analyst" },
  { type: "run.token", text: "a", agent: "analyst", stepId: "s1" },
  {
    type: "run.plan",
    steps: [
      { id: "s1", title: "One", agent: "analyst", dependsOn: [] },
      { id: "s2", title: "Two", agent: "analyst", dependsOn: ["s1"] },
    ],
    final: true,
  },
  { type: "run.token", text: "b", agent: "analyst", stepId: "s1" },
  { type: "run.step.completed", stepId: "s1", status: "complete", finishReason: "stop", note: null, completionTokens: 2, durationMs: 7 },
  { type: "run.step.started", stepId: "s2", title: "Two", agent: "analyst" },
  { type: "run.token", text: "c", agent: "analyst", stepId: "s2" },
  { type: "run.step.completed", stepId: "s2", status: "truncated", finishReason: "length", note: "ran out of room", completionTokens: 1, durationMs: 3 },
  { type: "run.progress", phase: "synthesizing", label: "Writing the answer" },
  { type: "run.token", text: "Hello", agent: "manager", stepId: null },
  { type: "run.token", text: " world", agent: "manager", stepId: null },
  {
    type: "run.completed",
    conversationId: "c1",
    assistantMessageId: "a1",
    finishReason: "stop",
    usage: { promptTokens: 10, completionTokens: 6, reported: true },
    metrics,
    cacheHit: false,
  },
];

describe("applyRunEvent", () => {
  it("folds an analytical run into its answer, steps, timings and figures", () => {
    const events = stamp(analytical);
    const state = foldRunEvents({ runId: RUN }, events);
    expect(state.text).toBe("Hello world");
    expect(state.status).toBe("complete");
    expect(state.lastIndex).toBe(events.length - 1);
    expect(state.tokens).toBe(5);
    expect(state.steps.map((s) => [s.id, s.text, s.status, s.durationMs, s.note])).toEqual([
      ["s1", "ab", "complete", 7, null],
      ["s2", "c", "truncated", 3, "ran out of room"],
    ]);
    expect(state.steps[0]!.startedAt).toBe(1003);
    expect(state.steps[0]!.firstTokenAt).toBe(1004);
    expect(state.startedAt).toBe(1000);
    expect(state.firstTokenAt).toBe(1004);
    expect(state.lastTokenAt).toBe(1013);
    expect(state.metrics).toEqual(metrics);
    expect(state.progress).toBeNull();
    expect(state.planning).toBe(false);
    expect([state.conversationId, state.userMessageId, state.assistantMessageId]).toEqual(["c1", "u1", "a1"]);
  });

  it("tells a growing plan from a whole one, and shows the progress while the run goes", () => {
    const events = stamp(analytical);
    const mid = foldRunEvents({ runId: RUN }, events.slice(0, 5));
    expect(mid.planning).toBe(true);
    expect(mid.progress).toEqual({ phase: "planning", label: "Planning", step: null });
    expect(mid.steps.map((s) => s.status)).toEqual(["running"]);
    expect(foldRunEvents({ runId: RUN }, events.slice(0, 6)).planning).toBe(false);
  });

  it("gives the same state whether a viewer saw every event or joined from a state at any index", () => {
    const events = stamp(analytical);
    const whole = foldRunEvents({ runId: RUN }, events);
    for (let k = 0; k <= events.length; k++) {
      const joined = foldRunEvents(foldRunEvents({ runId: RUN }, events.slice(0, k)), events.slice(Math.max(0, k - 2)));
      expect(joined).toEqual(whole);
    }
  });

  it("skips duplicates, events past a hole and other runs' events, and says which is which", () => {
    const events = stamp(analytical);
    const s3 = foldRunEvents({ runId: RUN }, events.slice(0, 3));
    expect(runEventFit(s3, events[3]!)).toBe("next");
    expect(runEventFit(s3, events[1]!)).toBe("duplicate");
    expect(runEventFit(s3, events[5]!)).toBe("gap");
    expect(runEventFit(s3, { ...events[3]!, runId: "other" })).toBe("other_run");
    expect(applyRunEvent(s3, events[1]!)).toBe(s3);
    expect(applyRunEvent(s3, events[5]!)).toBe(s3);
    expect(applyRunEvent(s3, { ...events[3]!, runId: "other" })).toBe(s3);
  });

  it("never changes the state it is given", () => {
    const events = stamp(analytical);
    let state = createRunState({ runId: RUN });
    for (const event of events) {
      const before = JSON.stringify(state);
      const next = applyRunEvent(state, event);
      expect(JSON.stringify(state)).toBe(before);
      expect(next).not.toBe(state);
      state = next;
    }
  });

  it("continues from the kept part of an answer", () => {
    const events = stamp([
      { ...started, taskType: "creative" },
      { type: "run.token", text: " and on", agent: "manager", stepId: null },
      {
        type: "run.completed",
        conversationId: "c1",
        assistantMessageId: "a1",
        finishReason: "stop",
        usage: { promptTokens: 1, completionTokens: 1, reported: false },
        metrics,
        cacheHit: false,
      },
    ]);
    expect(foldRunEvents({ runId: RUN, text: "On" }, events).text).toBe("On and on");
    // run.started carries the kept part, so a viewer that folds from the first event needs no seed
    const told = stamp([
      { ...started, continued: { text: "On", steps: null } },
      ...events.slice(1).map(({ runId: _r, index: _i, at: _a, ...d }) => d as RunEventDraft),
    ]);
    expect(foldRunEvents({ runId: RUN }, told).text).toBe("On and on");
  });

  it("ends stopped, interrupted or failed as the server stores it, and cuts the steps still running", () => {
    const head = stamp(analytical.slice(0, 5));
    const end = (draft: RunEventDraft) => foldRunEvents(foldRunEvents({ runId: RUN }, head), stamp([...analytical.slice(0, 5), draft]).slice(5));
    const stopped = end({ ...(analytical.at(-1) as RunEventDraft & { type: "run.completed" }), finishReason: "stopped" });
    expect(stopped.status).toBe("stopped");
    expect(stopped.steps[0]!.status).toBe("stopped");
    const failure = { type: "run.error", conversationId: "c1", assistantMessageId: "a1", retryable: true, partial: true, metrics: null } as const;
    const shutdown = end({ ...failure, code: "shutting_down", message: "The server shut down." });
    expect([shutdown.status, shutdown.finishReason]).toEqual(["interrupted", "interrupted"]);
    expect(shutdown.error).toEqual({ code: "shutting_down", message: "The server shut down.", retryable: true, partial: true });
    const failed = end({ ...failure, code: "provider_unavailable", message: "The model server failed." });
    expect([failed.status, failed.finishReason, failed.steps[0]!.status]).toEqual(["failed", "error", "stopped"]);
    expect(statusOfFinish("deadline")).toBe("stopped");
    expect(statusOfFinish("length")).toBe("complete");
  });

  it("keeps steps already streaming, and their objects, when a later plan lists them again", () => {
    const [s1] = mergePlanSteps([], [{ id: "s1", title: "One", agent: "analyst", dependsOn: [] }]);
    const running = { ...s1!, text: "so far", status: "running" as const };
    const merged = mergePlanSteps(
      [running],
      [
        { id: "s1", title: "One", agent: "analyst", dependsOn: [] },
        { id: "s2", title: "Two", agent: "analyst", dependsOn: [] },
      ],
    );
    expect(merged[0]).toBe(running);
    expect(merged.map((s) => s.id)).toEqual(["s1", "s2"]);
  });
});

describe("tool calls", () => {
  const toolRun: RunEventDraft[] = [
    started,
    { type: "run.plan", steps: [{ id: "s1", title: "Compute", agent: "calculator", dependsOn: [] }], final: true },
    { type: "run.step.started", stepId: "s1", title: "Compute", agent: "calculator" },
    { type: "run.tool.started", stepId: "s1", agent: "calculator", callId: "call_1", tool: "run_javascript", arguments: '{"code":"1+1"}' },
    { type: "run.tool.started", stepId: "s1", agent: "calculator", callId: "call_2", tool: "nope", arguments: "{" },
    {
      type: "run.tool.completed",
      stepId: "s1",
      agent: "calculator",
      callId: "call_1",
      tool: "run_javascript",
      ok: true,
      result: "2",
      error: null,
      durationMs: 4,
    },
    {
      type: "run.tool.completed",
      stepId: "s1",
      agent: "calculator",
      callId: "call_2",
      tool: "nope",
      ok: false,
      result: null,
      error: { code: "unknown_tool", message: "There is no tool named nope" },
      durationMs: 0,
    },
    { type: "run.token", text: "It is 2.", agent: "calculator", stepId: "s1" },
  ];

  it("records each call in its step, running then ended, in the order they started", () => {
    const events = stamp(toolRun);
    const mid = foldRunEvents(createRunState({ runId: RUN }), events.slice(0, 5));
    expect(mid.steps[0]?.tools?.map((t) => [t.id, t.status])).toEqual([
      ["call_1", "running"],
      ["call_2", "running"],
    ]);
    const end = foldRunEvents(createRunState({ runId: RUN }), events);
    expect(end.steps[0]?.tools).toEqual([
      { id: "call_1", tool: "run_javascript", arguments: '{"code":"1+1"}', status: "ok", result: "2", error: null, durationMs: 4, startedAt: 1003 },
      {
        id: "call_2",
        tool: "nope",
        arguments: "{",
        status: "error",
        result: null,
        error: { code: "unknown_tool", message: "There is no tool named nope" },
        durationMs: 0,
        startedAt: 1004,
      },
    ]);
    expect(end.steps[0]?.text).toBe("It is 2.");
  });

  it("a viewer joining after a tool call gets the same state as one who saw it", () => {
    const events = stamp(toolRun);
    const whole = foldRunEvents(createRunState({ runId: RUN }), events);
    for (let i = 1; i < events.length; i++) {
      const joined = foldRunEvents(structuredClone(foldRunEvents(createRunState({ runId: RUN }), events.slice(0, i))), events.slice(i));
      expect(joined).toEqual(whole);
    }
  });
});
