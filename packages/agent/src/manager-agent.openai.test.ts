import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OpenAIChatModel } from "@alma/llm";
import { startFakeOpenAI, type FakeChatRequest, type FakeOpenAIServer, type FakeReply } from "@alma/testing";
import { ManagerAgent } from "./manager-agent.js";
import { knownModelSpeed } from "./testing/fast-model-speed.js";
import { harness } from "./testing/run-harness.js";
import { checkRunEventOrder } from "./testing/check-run-event-order.js";
import { PLAN, stepTokens, SYNTHESIS_TOKENS, TASK } from "./testing/analytical-responder.js";
import { PLAN_MARKER } from "./prompts/analytical-plan-prompt.js";
import { STEP_MARKER } from "./prompts/analytical-step-prompt.js";
import { SYNTHESIS_MARKER } from "./prompts/analytical-synthesis-prompt.js";
import { ResponseCache } from "./response-cache.js";
import type { AgentEvent } from "./run-scope.js";

function lastUser(req: FakeChatRequest): string {
  const m = [...req.messages].reverse().find((x) => x.role === "user");
  return typeof m?.content === "string" ? m.content : "";
}

/** Answers like a cooperative model, recognising plan, step and synthesis requests by their wording. */
function answer(req: FakeChatRequest, step: (id: string) => FakeReply | null = () => null): FakeReply {
  const text = lastUser(req);
  if (text.includes(PLAN_MARKER)) return { text: JSON.stringify(PLAN) };
  if (text.includes(SYNTHESIS_MARKER)) return { tokens: SYNTHESIS_TOKENS };
  const m = new RegExp(`${STEP_MARKER} \\d+ of \\d+: (.+?)\\.`).exec(text);
  if (m) {
    const id = PLAN.steps.find((s) => s.title === m[1])!.id;
    return step(id) ?? { tokens: stepTokens(id), tokenDelayMs: 4 };
  }
  return { text: '{"type":"analytical","confidence":0.9}' };
}

describe("ManagerAgent against a fake OpenAI-compatible server", () => {
  let server: FakeOpenAIServer;
  let model: OpenAIChatModel;

  beforeAll(async () => {
    server = await startFakeOpenAI();
    model = new OpenAIChatModel({ baseURL: server.url, apiKey: "test", model: "gpt-4o-mini" });
  });
  beforeEach(() => server.reset());
  afterAll(async () => {
    await model.close();
    await server.close();
  });

  it("runs the analytical path end to end: valid order, complete tagged steps, concurrent steps kept apart", async () => {
    server.setHandler((req) => answer(req));
    const agent = new ManagerAgent({ model, config: { maxConcurrentSteps: 2, review: "off" } });
    const h = harness({ userText: TASK });
    const r = await agent.run(h.input);
    expect(r.error).toBeNull();
    expect(checkRunEventOrder(h.events)).toEqual([]);
    expect(r.taskType).toBe("analytical");
    const by = h.textBy();
    for (const id of ["s1", "s2", "s3"]) expect(by.get(id)).toBe(stepTokens(id).join(""));
    expect(r.text).toBe(SYNTHESIS_TOKENS.join(""));
    const order = h.events.flatMap((e) => (e.type === "run.token" && e.stepId ? [e.stepId] : []));
    expect(order.indexOf("s2")).toBeLessThan(order.lastIndexOf("s1"));
    expect(r.usage.reported).toBe(true);
    const plan = server.chatRequests().find((x) => lastUser(x.chat!).includes(PLAN_MARKER))!;
    expect(plan.chat!.responseFormat).toEqual({ type: "json_object" });
  });

  it("states a partial answer when a step's stream is cut", async () => {
    server.setHandler((req) => answer(req, (id) => (id === "s2" ? { tokens: stepTokens("s2"), cutAfterTokens: 2 } : null)));
    const agent = new ManagerAgent({ model, config: { review: "off" } });
    const h = harness({ userText: TASK });
    const r = await agent.run(h.input);
    expect(r.error).toBeNull();
    expect(checkRunEventOrder(h.events)).toEqual([]);
    const s2 = h.events.find((e) => e.type === "run.step.completed" && e.stepId === "s2") as Extract<AgentEvent, { type: "run.step.completed" }>;
    expect(s2.status).toBe("failed");
    expect(s2.note).toMatch(/^failed: /);
    const synth = server.chatRequests().find((x) => lastUser(x.chat!).includes(SYNTHESIS_MARKER))!;
    expect(lastUser(synth.chat!)).toMatch(/"Reliability" \(failed: .*partial answer/s);
  });

  it("holds the deadline when a step stalls", async () => {
    server.setHandler((req) => answer(req, (id) => (id === "s1" ? { tokens: stepTokens("s1"), stallAfterTokens: 2 } : null)));
    const agent = new ManagerAgent({ model, config: { deadlineMs: 1500, synthesisReserveMs: 500, speed: knownModelSpeed(), review: "off" } });
    const h = harness({ userText: TASK });
    const t0 = Date.now();
    const r = await agent.run(h.input);
    expect(Date.now() - t0).toBeLessThan(1500 + 300);
    expect(r.finishReason).toBe("stop");
    const s1 = h.events.find((e) => e.type === "run.step.completed" && e.stepId === "s1") as Extract<AgentEvent, { type: "run.step.completed" }>;
    expect(s1).toMatchObject({ status: "truncated", finishReason: "deadline" });
    expect(h.textBy().get("s1")).toBe(stepTokens("s1", 2).join(""));
    await server.waitForAbort(server.requests.findIndex((x) => x.chat && lastUser(x.chat).includes("Latency")));
  });

  it("retries a 429 before the first token, then answers, then replays from the cache", async () => {
    server.setHandler((req) => (req.attempt === 1 ? { error: { status: 429, message: "slow down", retryAfterMs: 10 } } : { text: "Hello there friend" }));
    const cache = new ResponseCache();
    const agent = new ManagerAgent({ model, cache, config: { retryBaseMs: 5, review: "off" } });
    const h = harness({ userText: "hello" });
    const r = await agent.run(h.input);
    expect(r.text).toBe("Hello there friend");
    expect(h.marks.retried).toBe(1);
    const before = server.chatRequests().length;
    const again = await agent.run(harness({ userText: "hello" }).input);
    expect(again.cacheHit).toBe(true);
    expect(server.chatRequests().length).toBe(before);
    cache.close();
  });
});
