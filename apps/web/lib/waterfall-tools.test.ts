import { describe, expect, it } from "vitest";
import type { ToolCallRecord } from "@alma/protocol";
import type { UiMessage } from "./ui-message";
import { EMPTY_CLOCK } from "./waterfall-clock";
import { waterfallFromLive, waterfallFromMetrics } from "./waterfall-rows";
import { analyticalMetrics, blankAnswer, request, step } from "./metrics-fixtures.test-helpers";

const RECEIVED = 1_000_000;
const call = (over: Partial<ToolCallRecord>): ToolCallRecord => ({
  id: "c1",
  tool: "run_javascript",
  arguments: '{"code":"1+1"}',
  status: "ok",
  result: "2",
  error: null,
  durationMs: 15,
  startedAt: RECEIVED + 800,
  ...over,
});

describe("tool calls on the waterfall", () => {
  // a calculator step in two rounds: the model asks for the tool, the tool runs, the model answers from its result
  const metrics = analyticalMetrics({
    requests: [
      request({ role: "plan", startMs: 50, endMs: 300, finishReason: "stop" }),
      request({ role: "step", stepId: "s1", agent: "calculator", startMs: 400, firstTokenMs: 500, endMs: 790, finishReason: "tool_calls" }),
      request({ role: "step", stepId: "s1", agent: "calculator", startMs: 830, firstTokenMs: 900, endMs: 1200, finishReason: "stop" }),
      request({ role: "synthesis", startMs: 1210, firstTokenMs: 1250, endMs: 1600 }),
    ],
  });
  const steps = [
    step({
      id: "s1",
      title: "Compute",
      agent: "calculator",
      tools: [
        call({}),
        call({
          id: "c2",
          tool: "search_documents",
          status: "error",
          result: null,
          error: { code: "no_documents", message: "none" },
          startedAt: RECEIVED + 805,
          durationMs: 3,
        }),
      ],
    }),
  ];

  it("puts a step's calls under the request that asked for them; the request after them is the step's next round, not a retry", () => {
    const w = waterfallFromMetrics(metrics, steps, "stop");
    const s1 = w.rows.filter((r) => r.stepId === "s1");
    expect(s1.map((r) => [r.startMs, r.retry, r.round])).toEqual([
      [400, 0, 0],
      [830, 0, 1],
    ]);
    expect(s1[0]!.tools.map((t) => [t.tool, t.status, t.startMs, t.endMs, t.durationMs])).toEqual([
      ["run_javascript", "ok", 800, 815, 15],
      ["search_documents", "error", 805, 808, 3],
    ]);
    expect(s1[1]!.tools).toEqual([]);
    expect(w.rows.filter((r) => r.role !== "step").every((r) => r.tools.length === 0)).toBe(true);
  });

  it("still counts a request after a failed one as a retry", () => {
    const w = waterfallFromMetrics(
      analyticalMetrics({
        requests: [
          request({ role: "step", stepId: "s1", startMs: 10, endMs: 20, finishReason: "error" }),
          request({ role: "step", stepId: "s1", startMs: 30, endMs: 40, finishReason: "tool_calls" }),
          request({ role: "step", stepId: "s1", startMs: 50, endMs: 60, finishReason: "stop" }),
        ],
      }),
    );
    expect(w.rows.map((r) => [r.retry, r.round])).toEqual([
      [0, 0],
      [1, 0],
      [0, 1],
    ]);
    expect(new Set(w.rows.map((r) => r.key)).size).toBe(3);
  });

  it("shows a call live on its step's row, growing while it runs, the same as after the run", () => {
    const SKEW = 5000;
    const t0 = 2_000_000 + SKEW;
    const server = (ms: number) => 2_000_000 + ms;
    const m: UiMessage = {
      ...blankAnswer,
      status: "streaming",
      finishReason: null,
      taskType: "analytical",
      progress: { phase: "step", label: "Step 1", step: null },
      steps: [
        step({
          id: "s1",
          status: "running",
          agent: "calculator",
          startedAt: server(400),
          firstTokenAt: server(450),
          tools: [call({ status: "running", result: null, durationMs: null, startedAt: server(600) })],
        }),
      ],
      live: { sentAt: t0 - 20, startedAt: t0, firstTokenAt: t0 + 450, lastTokenAt: t0 + 500, tokens: 3 },
    };
    const early = waterfallFromLive(m, t0 + 700, EMPTY_CLOCK)!;
    const later = waterfallFromLive(m, t0 + 900, EMPTY_CLOCK)!;
    const tool = (w: typeof early) => w.rows.find((r) => r.stepId === "s1")!.tools[0]!;
    expect(tool(early)).toMatchObject({ tool: "run_javascript", startMs: 600, endMs: 700, running: true });
    expect(tool(later).endMs).toBe(900);
    const done = { ...m, steps: [{ ...m.steps![0]!, tools: [call({ startedAt: server(600), durationMs: 40 })] }] };
    expect(tool(waterfallFromLive(done, t0 + 1000, EMPTY_CLOCK)!)).toMatchObject({ startMs: 600, endMs: 640, running: false, status: "ok" });
  });
});
