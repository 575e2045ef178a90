import { afterEach, describe, expect, it } from "vitest";
import { OpenAIChatModel } from "@alma/llm";
import { startFakeOpenAI, type FakeOpenAIServer } from "@alma/testing";
import { ManagerAgent } from "./manager-agent.js";
import { ModelSpeedTracker, PRIOR_SPEED } from "./model-speed.js";
import { PLAN_MARKER } from "./prompts/analytical-plan-prompt.js";
import { STEP_MARKER } from "./prompts/analytical-step-prompt.js";
import { capableResponder } from "./testing/capable-responder.js";
import { checkRunEventOrder } from "./testing/check-run-event-order.js";
import { harness } from "./testing/run-harness.js";

// time runs 5× faster here: a 12 tokens/s model at a 60 s deadline is a 60 tokens/s model at 12 s, and the
// run's shape depends only on tokens per deadline, so what holds here holds at full scale (see bench/analytical-pace)
const SCALE = 5;
const DEADLINE = 60_000 / SCALE;
const TASK = "Compare PostgreSQL and MongoDB for an analytics workload and recommend one";

let server: FakeOpenAIServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function runAt(tokensPerSecond: number, speed = new ModelSpeedTracker(), contextWindow = 32_768) {
  server = await startFakeOpenAI({
    flavour: "vllm",
    contextWindow,
    models: ["m"],
    handler: capableResponder({ tokensPerSecond: tokensPerSecond * SCALE, firstTokenDelayMs: 400 / SCALE }),
  });
  const model = new OpenAIChatModel({ baseURL: server.url, model: "m" });
  const priorPace = { ttftMs: PRIOR_SPEED.ttftMs / SCALE, tokensPerSecond: PRIOR_SPEED.tokensPerSecond * SCALE };
  const agent = new ManagerAgent({ model, config: { deadlineMs: DEADLINE, speed, modelKey: "m", priorPace } });
  const h = harness({ userText: TASK });
  const r = await agent.run(h.input);
  const labels = h.events.flatMap((e) => (e.type === "run.progress" ? [e.label] : []));
  return { r, h, labels };
}

describe("analytical answers sized to the model's pace", () => {
  it("12 tokens/s: a smaller plan, started while the planner writes, whose every step completes and whose synthesis ends on its own", async () => {
    const { r, h } = await runAt(12);
    expect(checkRunEventOrder(h.events)).toEqual([]);
    expect(r.finishReason).toBe("stop");
    expect(r.steps!.length).toBeGreaterThanOrEqual(2);
    expect(r.steps!.every((s) => s.status === "complete")).toBe(true);
    // every request asked for less than the fixed budgets of a fast model
    const steps = server!.chatRequests().filter((q) => JSON.stringify(q.body).includes(STEP_MARKER));
    for (const q of steps) expect(q.chat!.maxTokens!).toBeLessThan(500);
    // pipelined: the first step started while the planner was still writing
    const plan = server!.chatRequests().find((q) => JSON.stringify(q.body).includes(PLAN_MARKER))!;
    expect(steps[0]!.receivedAt).toBeLessThan(plan.endedAt!);
  }, 30_000);

  it("12 tokens/s in a 2,048-token window: a smaller plan still runs whole, every request inside the window", async () => {
    const { r, labels } = await runAt(12, new ModelSpeedTracker(), 2048);
    expect(labels.some((l) => l.startsWith("Answering directly"))).toBe(false);
    expect(r.finishReason).toBe("stop");
    expect(r.steps!.length).toBeGreaterThanOrEqual(2);
    expect(r.steps!.every((s) => s.status === "complete")).toBe(true);
    expect(server!.overWindowRequests()).toEqual([]);
  }, 30_000);

  it("5 tokens/s: no plan fits, so it answers in one pass, whole, and says why", async () => {
    const speed = new ModelSpeedTracker();
    const cold = await runAt(5, speed);
    expect(cold.r).toMatchObject({ finishReason: "stop", steps: null });
    expect(cold.labels.some((l) => /^Answering directly: the model writes about \d+ tokens\/s, too slow to plan/.test(l))).toBe(true);
    // once measured, the next run answers directly without trying a plan first
    await server!.close();
    server = null;
    const warm = await runAt(5, speed);
    expect(warm.r).toMatchObject({ finishReason: "stop", steps: null });
    expect(server!.chatRequests().some((q) => JSON.stringify(q.body).includes(PLAN_MARKER))).toBe(false);
  }, 60_000);
});
