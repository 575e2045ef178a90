import { ScriptedChatModel } from "@alma/llm";
import { foldRunEvents, type RunEvent } from "@alma/protocol";
import { describe, expect, it } from "vitest";
import { ManagerAgent } from "./manager-agent.js";
import type { ManagerAgentConfig } from "./manager-agent-config.js";
import { REVIEW_MARKER } from "./prompts/analytical-review-prompt.js";
import { ALL_SUPPORTED_TEXT, reviewFindings } from "./reviewer-kind.js";
import { reviewFits } from "./run-review.js";
import type { AgentEvent } from "./run-scope.js";
import { checkRunEventOrder } from "./testing/check-run-event-order.js";
import { knownModelSpeed } from "./testing/fast-model-speed.js";
import { harness } from "./testing/run-harness.js";
import { scriptedAnalytical } from "./testing/scripted-analytical.js";

const TASK = "Compare TCP and UDP for a multiplayer game and recommend one";
const PLAN = {
  steps: [
    { id: "s1", title: "Latency", instruction: "Compare latency.", dependsOn: [] },
    { id: "s2", title: "Reliability", instruction: "Compare reliability.", dependsOn: [] },
  ],
};

/** the agent's event drafts as the server stamps them, so the fold can read them */
function stamped(events: AgentEvent[]): RunEvent[] {
  let seq = 0;
  return events.map((e, index) => ({ ...e, runId: "r1", index, at: 1_000 + index, ...(e.type === "run.token" ? { seq: seq++ } : {}) }) as RunEvent);
}

async function run(review: string | null, config: Partial<ManagerAgentConfig> = {}) {
  const reviews: string[] = [];
  const base = scriptedAnalytical({ plan: PLAN, step: (r) => (r.title === "Latency" ? "UDP has lower latency." : "TCP retransmits lost packets.") });
  const model = new ScriptedChatModel({
    reply: (messages, options, i) => {
      const last = messages.at(-1)!.content;
      if (last.includes(REVIEW_MARKER)) {
        reviews.push(last);
        return review ?? "ALL SUPPORTED";
      }
      return base(messages, options, i);
    },
  });
  const agent = new ManagerAgent({ model, config: { speed: knownModelSpeed(), ...config } });
  const h = harness({ userText: TASK });
  const r = await agent.run(h.input);
  return { r, h, reviews };
}

describe("ManagerAgent: the reviewer's pass", () => {
  it("reviews the answer against the steps when the pace allows, as a Review step every viewer's fold shows", async () => {
    const { r, h, reviews } = await run('- "UDP is ten times faster": no step measured a factor');
    expect(checkRunEventOrder(h.events)).toEqual([]);
    expect(reviews).toHaveLength(1);
    // the reviewer read the draft and every step's result
    expect(reviews[0]).toContain(r.text);
    expect(reviews[0]).toContain("UDP has lower latency.");
    expect(reviews[0]).toContain("TCP retransmits lost packets.");
    const review = r.steps!.at(-1)!;
    expect(review).toMatchObject({ id: "review", title: "Review", agent: "reviewer", status: "complete" });
    expect(review.text).toBe('Claims no step supports:\n- "UDP is ten times faster": no step measured a factor');
    const done = h.events.find((e) => e.type === "run.step.completed" && e.stepId === "review") as Extract<AgentEvent, { type: "run.step.completed" }>;
    expect(done.note).toBe("1 claim no step supports");
    // the answer is not changed, and the fold (server, web, CLI) holds the review as a step
    const state = foldRunEvents({ runId: "r1" }, stamped(h.events));
    expect(state.text).toBe(r.text);
    expect(state.steps.map((s) => [s.id, s.agent, s.status])).toEqual([
      ["s1", "analyst", "complete"],
      ["s2", "analyst", "complete"],
      ["review", "reviewer", "complete"],
    ]);
    expect(state.steps.at(-1)!.text).toBe(review.text);
  });

  it("says so when every claim is supported, never a bare marker", async () => {
    const { r } = await run("ALL SUPPORTED");
    expect(r.steps!.at(-1)!.text).toBe(ALL_SUPPORTED_TEXT);
  });

  it("is off when configured off, and for one worker of every step", async () => {
    expect((await run(null, { review: "off" })).reviews).toHaveLength(0);
    const worker = { name: "critic", run: async () => ({ text: "fine", finishReason: "stop" as const, completionTokens: 1 }) };
    const { r, reviews } = await run(null, { worker });
    expect(reviews).toHaveLength(0);
    expect(r.steps!.map((s) => s.agent)).toEqual(["critic", "critic"]);
  });

  it("fits only when the model's pace leaves time before the deadline", () => {
    expect(reviewFits({ ttftMs: 200, tokensPerSecond: 80 }, 20_000)).toBe(true);
    // 200 tokens at 5 tokens/s is 40 s: not in 20 s
    expect(reviewFits({ ttftMs: 1_000, tokensPerSecond: 5 }, 20_000)).toBe(false);
  });

  it("reads findings loosely: bullets or numbers, or the all-clear in other words", () => {
    expect(reviewFindings("1. A claim\n2) Another")).toEqual({ text: "Claims no step supports:\n1. A claim\n2) Another", unsupported: 2 });
    expect(reviewFindings("All claims supported.")).toEqual({ text: ALL_SUPPORTED_TEXT, unsupported: 0 });
  });
});
