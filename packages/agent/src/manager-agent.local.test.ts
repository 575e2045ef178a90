import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalChatModel } from "@alma/llm";
import { ManagerAgent } from "./manager-agent.js";
import { harness } from "./testing/run-harness.js";
import { checkRunEventOrder } from "./testing/check-run-event-order.js";

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

  it("answers an analytical task directly, at once, when the model writes stories instead of a plan", async () => {
    const agent = new ManagerAgent({ model, config: { stepMaxOutputTokens: 16 } });
    const h = harness({ userText: "Compare cats and dogs as pets and recommend one", options: { maxOutputTokens: 24 } });
    const r = await agent.run(h.input);
    expect(r.error).toBeNull();
    expect(checkRunEventOrder(h.events)).toEqual([]);
    expect(r.taskType).toBe("analytical");
    expect(r.steps).toBeNull();
    expect(h.events.some((e) => e.type === "run.step.started")).toBe(false);
    const labels = h.events.flatMap((e) => (e.type === "run.progress" ? [e.label] : []));
    expect(labels.some((l) => l.startsWith("Answering directly"))).toBe(true);
    expect(r.text.length).toBeGreaterThan(0);
    expect(h.textBy().get("manager")).toBe(r.text);
  }, 120_000);

  it("stops mid-answer promptly, keeping the partial text", async () => {
    const ctrl = new AbortController();
    const agent = new ManagerAgent({ model });
    let stoppedAt = 0;
    let seen = 0;
    const h = harness({
      userText: "Write a long story about a dragon",
      signal: ctrl.signal,
      onEvent: (e) => {
        if (e.type === "run.token" && ++seen === 5) {
          stoppedAt = performance.now();
          ctrl.abort();
        }
      },
    });
    const r = await agent.run(h.input);
    expect(stoppedAt).toBeGreaterThan(0);
    expect(performance.now() - stoppedAt).toBeLessThan(1000);
    expect(r.finishReason).toBe("stopped");
    expect(r.error).toBeNull();
    expect(r.text.length).toBeGreaterThan(0);
    expect(h.textBy().get("manager")).toBe(r.text);
    expect(checkRunEventOrder(h.events)).toEqual([]);
  }, 120_000);
});
