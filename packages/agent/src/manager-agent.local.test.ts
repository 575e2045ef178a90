import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalChatModel } from "@alma/llm";
import { ManagerAgent } from "./manager-agent.js";
import { harness } from "./testing/run-harness.js";
import { checkRunEventOrder } from "./testing/check-run-event-order.js";
import type { AgentEvent } from "./run-scope.js";

const STORIES = fileURLToPath(new URL("../../../../shared/models/stories260K.gguf", import.meta.url));

describe("ManagerAgent through the local stories260K model", () => {
  let model: LocalChatModel;

  beforeAll(async () => {
    model = new LocalChatModel({ model: STORIES, threads: 1, autoLoad: false, progressBar: false });
    const status = await model.load();
    expect(status.ready, status.problem ?? "").toBe(true);
  }, 60_000);
  afterAll(async () => {
    await model.close();
  });

  it("answers a creative task as one stream", async () => {
    const agent = new ManagerAgent({ model });
    const h = harness({ userText: "Write a story about a little cat", options: { maxOutputTokens: 24 } });
    const r = await agent.run(h.input);
    expect(r.error).toBeNull();
    expect(r.taskType).toBe("creative");
    expect(["stop", "length"]).toContain(r.finishReason);
    expect(r.text.length).toBeGreaterThan(0);
    expect(h.textBy().get("manager")).toBe(r.text);
    expect(checkRunEventOrder(h.events)).toEqual([]);
  }, 60_000);

  it("runs an analytical task to the end even though the model writes stories, not plans", async () => {
    const agent = new ManagerAgent({ model, config: { stepMaxOutputTokens: 16 } });
    const h = harness({ userText: "Compare cats and dogs as pets and recommend one", options: { maxOutputTokens: 24 } });
    const r = await agent.run(h.input);
    expect(r.error).toBeNull();
    expect(checkRunEventOrder(h.events)).toEqual([]);
    expect(r.steps!.length).toBeGreaterThanOrEqual(1);
    for (const s of r.steps!) expect(["complete", "truncated"]).toContain(s.status);
    expect(h.events.some((e) => e.type === "run.plan")).toBe(true);
    expect(r.text.length).toBeGreaterThan(0);
  }, 120_000);

  it("stops mid-step promptly, keeping the partial step text", async () => {
    const ctrl = new AbortController();
    const agent = new ManagerAgent({ model, config: { stepMaxOutputTokens: 400 } });
    let stoppedAt = 0;
    const h = harness({
      userText: "Explain why the sky is blue",
      signal: ctrl.signal,
      onEvent: (e) => {
        if (e.type === "run.token" && e.stepId && !stoppedAt) {
          stoppedAt = performance.now();
          ctrl.abort();
        }
      },
    });
    const r = await agent.run(h.input);
    expect(performance.now() - stoppedAt).toBeLessThan(1000);
    expect(r.finishReason).toBe("stopped");
    expect(r.error).toBeNull();
    const ended = h.events.filter((e): e is Extract<AgentEvent, { type: "run.step.completed" }> => e.type === "run.step.completed");
    expect(ended.length).toBeGreaterThan(0);
    expect(ended.every((e) => e.status === "stopped")).toBe(true);
    expect(r.steps!.some((s) => s.text.length > 0)).toBe(true);
    expect(checkRunEventOrder(h.events)).toEqual([]);
  }, 120_000);
});
