import { describe, expect, it } from "vitest";
import { LlmError } from "@alma/llm";
import { estimatePromptTokens } from "./estimate-prompt-tokens.js";
import { ManagerAgent } from "./manager-agent.js";
import type { AgentEvent } from "./run-scope.js";
import { analyticalResponder, PLAN, roleOf, stepTokens, SYNTHESIS_TOKENS, TASK } from "./testing/analytical-responder.js";
import { checkRunEventOrder } from "./testing/check-run-event-order.js";
import { FakeChatModel, lastUserText } from "./testing/fake-chat-model.js";
import { knownModelSpeed } from "./testing/fast-model-speed.js";
import { harness, progressEvents } from "./testing/run-harness.js";

const today = () => "2025-06-01";

describe("ManagerAgent: analytical plans", () => {
  it("plans, runs workers live and tagged, runs independent steps concurrently, then synthesizes", async () => {
    const model = new FakeChatModel(analyticalResponder());
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed(), review: "off", maxConcurrentSteps: 2 } });
    const h = harness({ userText: TASK });
    const r = await agent.run(h.input);
    expect(checkRunEventOrder(h.events)).toEqual([]);
    expect(r.taskType).toBe("analytical");
    expect(r.finishReason).toBe("stop");
    expect(r.text).toBe(SYNTHESIS_TOKENS.join(""));
    const plan = h.events.findLast((e) => e.type === "run.plan") as Extract<AgentEvent, { type: "run.plan" }>;
    expect(plan.final).toBe(true);
    expect(plan.steps).toEqual(PLAN.steps.map((s) => ({ id: s.id, title: s.title, agent: "analyst", dependsOn: s.dependsOn })));
    const by = h.textBy();
    for (const id of ["s1", "s2", "s3"]) expect(by.get(id)).toBe(stepTokens(id).join(""));
    expect(by.get("manager")).toBe(SYNTHESIS_TOKENS.join(""));
    for (const e of h.events) if (e.type === "run.token" && e.stepId) expect(e.agent).toBe("analyst");
    // s1 and s2 ran together: their tokens interleave on the wire, yet each reassembles exactly
    const order = h.events.flatMap((e) => (e.type === "run.token" && e.stepId ? [e.stepId] : []));
    const firstS2 = order.indexOf("s2");
    expect(firstS2).toBeLessThan(order.lastIndexOf("s1"));
    expect(order.indexOf("s3")).toBeGreaterThan(Math.max(order.lastIndexOf("s1"), order.lastIndexOf("s2")));
    // s3 saw its dependencies' results; the synthesis saw every step
    const s3Call = model.calls.find((c) => roleOf(c.messages).stepTitle === "Recommendation")!;
    expect(lastUserText(s3Call.messages)).toContain(stepTokens("s1").join(""));
    const synth = model.calls.find((c) => roleOf(c.messages).role === "synthesis")!;
    expect(lastUserText(synth.messages)).toContain("## Step 2: Reliability (complete)");
    expect(r.steps!.map((s) => [s.id, s.status])).toEqual([
      ["s1", "complete"],
      ["s2", "complete"],
      ["s3", "complete"],
    ]);
    const phases = progressEvents(h.events).map((e) => e.phase);
    expect(phases).toEqual(["classifying", "recalling_memory", "planning", "step", "step", "step", "synthesizing", "done"]);
    const stepLabels = progressEvents(h.events)
      .filter((e) => e.phase === "step")
      .map((e) => e.label);
    // s1 and s2 start while the planner is still writing, before the plan's length is known
    expect(stepLabels).toEqual(["Step 1: Latency", "Step 2: Reliability", "Step 3 of 3: Recommendation"]);
    const planCall = model.calls.find((c) => roleOf(c.messages).role === "plan")!;
    expect(planCall.options.json).toBe(true);
    expect(r.usage.completionTokens).toBe(1 + 18 + SYNTHESIS_TOKENS.length);
  });

  it("runs steps one at a time with concurrency 1, without interleaving", async () => {
    const model = new FakeChatModel(analyticalResponder());
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed(), review: "off", maxConcurrentSteps: 1 } });
    const h = harness({ userText: TASK });
    await agent.run(h.input);
    const order = h.events.flatMap((e) => (e.type === "run.token" && e.stepId ? [e.stepId] : []));
    expect(order.join(",")).toBe([...Array(6).fill("s1"), ...Array(6).fill("s2"), ...Array(6).fill("s3")].join(","));
  });

  it("a failing step is recorded and the synthesis states the partial answer", async () => {
    const model = new FakeChatModel(
      analyticalResponder((role, stepId) =>
        role === "step" && stepId === "s2"
          ? { deltas: ["half "], failAfter: { deltas: 1, error: new LlmError("stream_interrupted", "The connection to the model broke mid-answer.") } }
          : null,
      ),
    );
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed(), review: "off" } });
    const h = harness({ userText: TASK });
    const r = await agent.run(h.input);
    expect(checkRunEventOrder(h.events)).toEqual([]);
    expect(r.finishReason).toBe("stop");
    expect(r.error).toBeNull();
    const s2 = h.events.find((e) => e.type === "run.step.completed" && e.stepId === "s2") as Extract<AgentEvent, { type: "run.step.completed" }>;
    expect(s2).toMatchObject({ status: "failed", finishReason: "error", note: "failed: The connection to the model broke mid-answer." });
    expect(r.steps!.find((s) => s.id === "s2")).toMatchObject({ status: "failed", text: "half " });
    const synth = model.calls.find((c) => roleOf(c.messages).role === "synthesis")!;
    expect(lastUserText(synth.messages)).toMatch(/"Reliability" \(failed: The connection to the model broke mid-answer\.\).*partial answer/s);
    // every other call reports 10 prompt tokens; the failed step still counts the request it sent, as counted before sending
    const failedCall = model.calls.find((c) => roleOf(c.messages).stepTitle === "Reliability")!;
    expect(r.usage.promptTokens).toBe((model.calls.length - 1) * 10 + estimatePromptTokens(failedCall.messages));
    expect(r.usage.reported).toBe(false);
  });

  it("cuts steps at the deadline, says so, and still synthesizes within the deadline", async () => {
    const model = new FakeChatModel(
      analyticalResponder((role, stepId) => (role === "step" && stepId === "s2" ? { deltas: stepTokens("s2", 1000), delayMs: 10 } : null)),
    );
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed(), review: "off", deadlineMs: 600, synthesisReserveMs: 250 } });
    const h = harness({ userText: TASK });
    const t0 = Date.now();
    const r = await agent.run(h.input);
    const took = Date.now() - t0;
    expect(took).toBeLessThan(600 + 250);
    expect(took).toBeGreaterThanOrEqual(340);
    expect(checkRunEventOrder(h.events)).toEqual([]);
    const done = h.events.filter((e): e is Extract<AgentEvent, { type: "run.step.completed" }> => e.type === "run.step.completed");
    const s2 = done.find((e) => e.stepId === "s2")!;
    expect(s2).toMatchObject({ status: "truncated", finishReason: "deadline" });
    expect(s2.note).toMatch(/^stopped after \d+\.\d s: the run's deadline$/);
    const s3 = done.find((e) => e.stepId === "s3")!;
    expect(s3).toMatchObject({ status: "truncated", finishReason: "deadline", completionTokens: 0 });
    expect(s3.note).toMatch(/not started/);
    expect(r.finishReason).toBe("stop");
    expect(r.text).toBe(SYNTHESIS_TOKENS.join(""));
    const synth = model.calls.find((c) => roleOf(c.messages).role === "synthesis")!;
    expect(lastUserText(synth.messages)).toMatch(/Some steps did not finish: "Reliability" \(stopped after/);
  });

  it("ends a slow synthesis at the hard deadline and says so in the answer", async () => {
    const model = new FakeChatModel(
      analyticalResponder((role) => (role === "synthesis" ? { deltas: Array.from({ length: 500 }, () => "z"), delayMs: 10 } : null)),
    );
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed(), review: "off", deadlineMs: 400, synthesisReserveMs: 200 } });
    const h = harness({ userText: TASK });
    const t0 = Date.now();
    const r = await agent.run(h.input);
    expect(Date.now() - t0).toBeLessThan(400 + 250);
    expect(r.finishReason).toBe("deadline");
    expect(r.text).toMatch(/^z+\n\n\(The answer was cut here: the run reached its deadline of 0 s\.\)$/);
  });

  it("a step that reaches its budget stops cleanly as truncated with an exact count", async () => {
    const model = new FakeChatModel(analyticalResponder((role, stepId) => (role === "step" && stepId === "s1" ? { deltas: stepTokens("s1", 200) } : null)));
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed(), review: "off", stepMaxOutputTokens: 8 } });
    const h = harness({ userText: TASK });
    const r = await agent.run(h.input);
    const s1 = h.events.find((e) => e.type === "run.step.completed" && e.stepId === "s1") as Extract<AgentEvent, { type: "run.step.completed" }>;
    expect(s1).toMatchObject({ status: "truncated", finishReason: "length", completionTokens: 8, note: "stopped at its budget of 8 tokens" });
    expect(h.textBy().get("s1")).toBe(stepTokens("s1", 8).join(""));
    expect(r.steps!.find((s) => s.id === "s1")!.status).toBe("truncated");
  });

  it("stop mid-step ends every running step promptly and skips the synthesis", async () => {
    const ctrl = new AbortController();
    const model = new FakeChatModel(analyticalResponder((role, stepId) => (role === "step" ? { deltas: stepTokens(stepId!, 1000), delayMs: 5 } : null)));
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed(), review: "off" } });
    const h = harness({ userText: TASK, signal: ctrl.signal, onEvent: (e) => e.type === "run.token" && e.text === "s2:3 " && ctrl.abort() });
    const t0 = performance.now();
    const r = await agent.run(h.input);
    expect(performance.now() - t0).toBeLessThan(300);
    expect(checkRunEventOrder(h.events)).toEqual([]);
    expect(r.finishReason).toBe("stopped");
    expect(r.steps!.map((s) => s.status)).toEqual(["stopped", "stopped", "stopped"]);
    expect(r.steps![1]!.text).toBe(stepTokens("s2", 4).join(""));
    expect(model.calls.some((c) => roleOf(c.messages).role === "synthesis")).toBe(false);
    expect(h.events.at(-1)).toMatchObject({ type: "run.progress", phase: "done", label: "Stopped" });
  });

  it("answers directly at once when the planner writes prose instead of a plan, without a second plan request", async () => {
    const prose = Array.from({ length: 200 }, (_, i) => `word${i} `);
    let planDeltasAsked = 0;
    const model = new FakeChatModel(
      analyticalResponder((role) => {
        if (role === "plan") {
          planDeltasAsked++;
          return { deltas: prose, delayMs: 1 };
        }
        return role === "other" ? { deltas: ["Direct ", "answer."] } : null;
      }),
    );
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed(), review: "off" } });
    const h = harness({ userText: TASK });
    const r = await agent.run(h.input);
    expect(planDeltasAsked).toBe(1);
    expect(r.error).toBeNull();
    expect(r.steps).toBeNull();
    expect(r.text).toBe("Direct answer.");
    // the planner was cut off as soon as its output showed no JSON, long before its 200 words
    const planTokens = h.events.filter((e) => e.type === "run.token").length;
    expect(planTokens).toBe(2);
    expect(model.calls.some((c) => roleOf(c.messages).role === "synthesis")).toBe(false);
    expect(h.events.some((e) => e.type === "run.plan")).toBe(false);
    const labels = progressEvents(h.events).map((e) => e.label);
    expect(labels).toContain("Answering directly: the model did not write a plan");
    expect(labels.some((l) => /JSON|parse/i.test(l))).toBe(false);
    const answerCall = model.calls.at(-1)!;
    expect(answerCall.messages[0]!.content).toMatch(/^You are alma, a careful analyst/);
    expect(checkRunEventOrder(h.events)).toEqual([]);
  });

  it("a plan of one step is answered directly, never followed by a synthesis that repeats it", async () => {
    const one = { steps: [{ id: "s1", title: "Answer", instruction: "Answer it.", dependsOn: [] }] };
    const model = new FakeChatModel(
      analyticalResponder((role) => (role === "plan" ? { deltas: [JSON.stringify(one)] } : role === "other" ? { deltas: ["The ", "answer."] } : null)),
    );
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed(), review: "off" } });
    const h = harness({ userText: TASK });
    const r = await agent.run(h.input);
    expect(r.steps).toBeNull();
    expect(r.text).toBe("The answer.");
    expect(h.events.some((e) => e.type === "run.step.started" || e.type === "run.plan")).toBe(false);
    expect(model.calls.some((c) => ["step", "synthesis"].includes(roleOf(c.messages).role))).toBe(false);
    expect(progressEvents(h.events).map((e) => e.label)).toContain("Answering directly: the request needs only one step");
  });

  it("a planner still writing when the steps' time runs out ends there: the steps it wrote are answered, never an empty answer", async () => {
    const plan = JSON.stringify({ steps: [PLAN.steps[0], PLAN.steps[1], { id: "s3", title: "More", instruction: "x".repeat(3000), dependsOn: [] }] });
    // the first two steps arrive fast, then the planner crawls through a huge third one
    const deltas = [plan.slice(0, plan.indexOf('{"id":"s3"') + 12), ...plan.slice(plan.indexOf('{"id":"s3"') + 12).match(/.{1,20}/g)!];
    const model = new FakeChatModel(analyticalResponder((role) => (role === "plan" ? { deltas, delayMs: 10 } : null)));
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed(), review: "off", deadlineMs: 1500, synthesisReserveMs: 600 } });
    const h = harness({ userText: TASK });
    const r = await agent.run(h.input);
    expect(checkRunEventOrder(h.events)).toEqual([]);
    expect(r.finishReason).toBe("stop");
    expect(r.text).toBe(SYNTHESIS_TOKENS.join(""));
    expect(r.steps!.map((s) => [s.id, s.status])).toEqual([
      ["s1", "complete"],
      ["s2", "complete"],
    ]);
  });

  it("a first step started when a second began, which then did not hold, is the plan: closed, and synthesized", async () => {
    const plan = '{"steps":[{"id":"s1","title":"Latency","instruction":"Compare latency.","dependsOn":[]},{"id":"s2"}]}';
    const model = new FakeChatModel(analyticalResponder((role) => (role === "plan" ? { deltas: plan.match(/.{1,8}/g)!, delayMs: 2 } : null)));
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed(), review: "off" } });
    const h = harness({ userText: TASK });
    const r = await agent.run(h.input);
    expect(checkRunEventOrder(h.events)).toEqual([]);
    expect(r.steps!.map((s) => [s.id, s.status])).toEqual([["s1", "complete"]]);
    const finalPlan = h.events.findLast((e) => e.type === "run.plan") as Extract<AgentEvent, { type: "run.plan" }>;
    expect(finalPlan.final).toBe(true);
    expect(r.text).toBe(SYNTHESIS_TOKENS.join(""));
  });

  it('a step is told the plan\'s expected length while the planner is still writing, never "step 1 of 1"', async () => {
    const model = new FakeChatModel(analyticalResponder((role) => (role === "plan" ? { deltas: JSON.stringify(PLAN).match(/.{1,6}/g)!, delayMs: 2 } : null)));
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed(), review: "off" } });
    await agent.run(harness({ userText: TASK }).input);
    const first = model.calls.find((c) => roleOf(c.messages).stepTitle === "Latency")!;
    expect(lastUserText(first.messages)).not.toMatch(/Carry out step 1 of 1:/);
    expect(lastUserText(first.messages)).toMatch(/Carry out step 1 of [2-9]:/);
  });

  it("returns a provider error from planning as the run's error, never throwing", async () => {
    const model = new FakeChatModel(() => ({
      deltas: [],
      error: new LlmError("provider_auth", "The API key was rejected. Check OPENAI_API_KEY.", { status: 401 }),
    }));
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed(), review: "off", retryBaseMs: 1 } });
    const h = harness({ userText: TASK });
    const r = await agent.run(h.input);
    expect(r.finishReason).toBe("error");
    expect(r.error).toEqual({ code: "provider_auth", message: "The API key was rejected. Check OPENAI_API_KEY.", retryable: false });
    expect(model.calls).toHaveLength(1);
    expect(h.marks.retried).toBe(0);
  });
});

describe("ManagerAgent: worker agents", () => {
  it("delegates steps to a configured specialist, tagging its tokens with its name", async () => {
    const model = new FakeChatModel(analyticalResponder());
    const critic = {
      name: "critic",
      async run(input: { step: { id: string } }, ctx: { emitToken(t: string): void }) {
        ctx.emitToken(`critique of ${input.step.id}`);
        return { text: `critique of ${input.step.id}`, finishReason: "stop" as const, completionTokens: 1 };
      },
    };
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed(), review: "off", worker: critic } });
    const h = harness({ userText: TASK });
    const r = await agent.run(h.input);
    expect(checkRunEventOrder(h.events)).toEqual([]);
    expect(r.steps!.map((s) => [s.agent, s.text])).toEqual([
      ["critic", "critique of s1"],
      ["critic", "critique of s2"],
      ["critic", "critique of s3"],
    ]);
    for (const e of h.events) if (e.type === "run.token" && e.stepId) expect(e.agent).toBe("critic");
  });
});
