import { describe, expect, it } from "vitest";
import { applyRunEvent, createRunState, type RunEvent, type RunState } from "@alma/protocol";
import { scriptedRunEvents } from "@alma/client/testing";
import { runChanges, type RunChange } from "./run-changes.js";

const b = (index: number) => ({ runId: "r1", index, at: 1000 + index });
const step = (id: string, title: string) => ({ id, title, agent: "analyst", dependsOn: [] });

/** every event through the fold, and what each changed */
function changesOf(events: RunEvent[]): RunChange[][] {
  let state: RunState = createRunState({ runId: "r1" });
  return events.map((event) => {
    const next = applyRunEvent(state, event);
    const changes = runChanges(state, next);
    state = next;
    return changes;
  });
}

describe("runChanges", () => {
  const [started, ...rest] = scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: [] });
  const completed = { ...(rest.at(-1) as RunEvent), index: 9 } as RunEvent;

  it("says what each event of an analytical run changed, in print order", () => {
    const events: RunEvent[] = [
      started!,
      { type: "run.progress", ...b(1), phase: "planning", label: "Planning" },
      { type: "run.plan", ...b(2), steps: [step("s1", "Gather"), step("s2", "Weigh")], final: false },
      { type: "run.step.started", ...b(3), stepId: "s1", title: "Gather", agent: "analyst" },
      { type: "run.token", ...b(4), seq: 0, text: "facts", agent: "analyst", stepId: "s1" },
      { type: "run.plan", ...b(5), steps: [step("s1", "Gather"), step("s2", "Weigh"), step("s3", "Pick")], final: true },
      { type: "run.step.completed", ...b(6), stepId: "s1", status: "truncated", finishReason: "length", note: "budget", completionTokens: 1, durationMs: 1 },
      { type: "run.step.started", ...b(7), stepId: "s2", title: "Weigh", agent: "analyst" },
      { type: "run.token", ...b(8), seq: 1, text: "So.", agent: "manager", stepId: null },
      { ...completed, finishReason: "stopped" } as RunEvent,
    ];
    expect(changesOf(events)).toEqual([
      [{ kind: "started", taskType: "conversational", provider: "scripted", model: "scripted", conversationId: "c1" }],
      [{ kind: "progress", label: "Planning" }],
      [
        {
          kind: "planned",
          steps: [
            { number: 1, title: "Gather" },
            { number: 2, title: "Weigh" },
          ],
        },
      ],
      [{ kind: "step.started", number: 1, title: "Gather", review: false }],
      [{ kind: "text", text: "facts", stepNumber: 1, tokens: 1 }],
      [{ kind: "planned", steps: [{ number: 3, title: "Pick" }] }],
      [{ kind: "step.ended", number: 1, status: "truncated", note: "budget" }],
      [{ kind: "step.started", number: 2, title: "Weigh", review: false }],
      [{ kind: "text", text: "So.", stepNumber: null, tokens: 2 }],
      // the stopped run settles the running step as stopped: the run's end, not a step's
      [],
    ]);
  });

  it("reports nothing for an event the fold skips (a repeat)", () => {
    const state = applyRunEvent(createRunState({ runId: "r1" }), started!);
    expect(runChanges(state, applyRunEvent(state, started!))).toEqual([]);
  });
});

describe("tool calls", () => {
  const [started] = scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: [] });
  it("says when a step's worker calls a tool and how the call ended, once each", () => {
    const call = { stepId: "s1", agent: "calculator", tool: "run_javascript" };
    const events: RunEvent[] = [
      started!,
      { type: "run.plan", ...b(1), steps: [{ ...step("s1", "Compute"), agent: "calculator" }], final: true },
      { type: "run.step.started", ...b(2), stepId: "s1", title: "Compute", agent: "calculator" },
      { type: "run.tool.started", ...b(3), ...call, callId: "c1", arguments: '{"code":"1+1"}' },
      { type: "run.tool.started", ...b(4), ...call, callId: "c2", arguments: "{" },
      { type: "run.tool.completed", ...b(5), ...call, callId: "c1", ok: true, result: "2", error: null, durationMs: 4 },
      {
        type: "run.tool.completed",
        ...b(6),
        ...call,
        callId: "c2",
        ok: false,
        result: null,
        error: { code: "invalid_json", message: "not JSON" },
        durationMs: 0,
      },
    ];
    expect(changesOf(events).slice(3)).toEqual([
      [{ kind: "tool.started", stepNumber: 1, tool: "run_javascript" }],
      [{ kind: "tool.started", stepNumber: 1, tool: "run_javascript" }],
      [{ kind: "tool.ended", stepNumber: 1, tool: "run_javascript", ok: true, text: "2", durationMs: 4 }],
      [{ kind: "tool.ended", stepNumber: 1, tool: "run_javascript", ok: false, text: "not JSON", durationMs: 0 }],
    ]);
  });
});
