import { describe, expect, it } from "vitest";
import { ManagerAgent } from "./manager-agent.js";
import type { AgentEvent } from "./run-scope.js";
import { FakeChatModel, lastUserText } from "./testing/fake-chat-model.js";
import { knownModelSpeed } from "./testing/fast-model-speed.js";
import { harness, progressEvents } from "./testing/run-harness.js";

const today = () => "2025-06-01";

describe("ManagerAgent: creative and conversational", () => {
  it("streams a creative task as one hot generation with the events in order", async () => {
    const model = new FakeChatModel(() => ({ deltas: ["Rain ", "on the ", "roof"] }));
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed() } });
    const h = harness({ userText: "Write a haiku about rain" });
    const r = await agent.run(h.input);
    expect(r).toMatchObject({ taskType: "creative", finishReason: "stop", text: "Rain on the roof", steps: null, cacheHit: false, error: null });
    expect(r.classification.source).toBe("rules");
    expect(h.types()).toEqual([
      "run.started",
      "run.progress",
      "run.classified",
      "run.progress",
      "run.context",
      "run.progress",
      "run.token",
      "run.token",
      "run.token",
      "run.progress",
    ]);
    expect(progressEvents(h.events).map((e) => e.phase)).toEqual(["classifying", "recalling_memory", "generating", "done"]);
    expect(h.events.filter((e) => e.type === "run.token").every((e) => e.type === "run.token" && e.agent === "manager" && e.stepId === null)).toBe(true);
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0]!.options.temperature).toBe(0.9);
    expect(model.calls[0]!.messages[0]!.content).toContain("creative writing partner");
    expect(h.buildCalls[0]!.outputBudget).toBe(1024);
    expect(h.marks).toEqual({ requestBuilt: 1, upstreamStarted: 1, retried: 0 });
    expect(r.usage).toEqual({ promptTokens: 10, completionTokens: 3, reported: true });
  });

  it("honours a user override and the option temperature", async () => {
    const model = new FakeChatModel(() => ({ deltas: ["ok"] }));
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed() } });
    const h = harness({ userText: "Why is the sky blue?", options: { taskType: "conversational", temperature: 0.1 } });
    const r = await agent.run(h.input);
    expect(r.classification).toEqual({ type: "conversational", source: "user", confidence: 1 });
    const started = h.events[0] as Extract<AgentEvent, { type: "run.started" }>;
    expect(started.classification.source).toBe("user");
    expect(model.calls[0]!.options.temperature).toBe(0.1);
  });

  it("asks the model about an ambiguous message and reports the change in run.classified", async () => {
    const model = new FakeChatModel((_msgs, _o, i) => (i === 0 ? { deltas: ['{"type":"creative","confidence":0.85}'] } : { deltas: ["Waves."] }));
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed() } });
    const h = harness({ userText: "the ocean at night, in a few lines" });
    const r = await agent.run(h.input);
    const started = h.events[0] as Extract<AgentEvent, { type: "run.started" }>;
    const classified = h.events.find((e) => e.type === "run.classified") as Extract<AgentEvent, { type: "run.classified" }>;
    expect(started.classification.source).toBe("rules");
    expect(classified.classification).toEqual({ type: "creative", source: "model", confidence: 0.85 });
    expect(r.taskType).toBe("creative");
    expect(model.calls[0]!.options.maxOutputTokens).toBe(20);
  });

  it("continues a partial answer without repeating it", async () => {
    const model = new FakeChatModel(() => ({ deltas: [" and then", " it rained."] }));
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed() } });
    const h = harness({ userText: "Hello there", continueFrom: "It was cloudy" });
    const r = await agent.run(h.input);
    expect(r.text).toBe(" and then it rained.");
    const msgs = model.calls[0]!.messages;
    expect(msgs.at(-2)).toEqual({ role: "assistant", content: "It was cloudy" });
    expect(lastUserText(msgs)).toMatch(/Continue your previous answer/);
    expect(progressEvents(h.events).some((e) => e.label === "Continuing the answer")).toBe(true);
  });

  it("stops promptly on abort, keeping the partial text", async () => {
    const ctrl = new AbortController();
    const model = new FakeChatModel(() => ({ deltas: Array.from({ length: 100 }, (_, i) => `w${i} `), delayMs: 5 }));
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed() } });
    const h = harness({
      userText: "Write a long story about a cat",
      signal: ctrl.signal,
      onEvent: (e) => e.type === "run.token" && e.text === "w3 " && ctrl.abort(),
    });
    const r = await agent.run(h.input);
    // promptness is asserted by content, not time: nothing after the token that triggered the stop is kept
    expect(r.finishReason).toBe("stopped");
    expect(r.text).toBe("w0 w1 w2 w3 ");
    expect(model.calls).toHaveLength(1);
    expect(r.error).toBeNull();
  });

  it("stops cleanly at maxOutputTokens with finish reason length", async () => {
    const model = new FakeChatModel(() => ({ deltas: Array.from({ length: 50 }, () => "x") }));
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed() } });
    const h = harness({ userText: "Write a poem", options: { maxOutputTokens: 7 } });
    const r = await agent.run(h.input);
    expect(r.finishReason).toBe("length");
    expect(r.text).toBe("xxxxxxx");
  });

  it("still counts the prompt when the stop at the budget comes before the provider's usage", async () => {
    const model = new FakeChatModel(() => ({ deltas: Array.from({ length: 50 }, () => "x") }));
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed() } });
    const h = harness({ userText: "Write a poem", options: { maxOutputTokens: 7 } });
    const r = await agent.run(h.input);
    const context = h.events.find((e) => e.type === "run.context");
    expect(context?.type === "run.context" && context.context.promptTokens).toBe(20);
    expect(r.usage.completionTokens).toBe(7);
    expect(r.usage.promptTokens).toBeGreaterThanOrEqual(20);
    expect(r.usage.reported).toBe(false);
  });
});

describe("ManagerAgent: memory failures", () => {
  it("returns the memory module's coded error when the message cannot fit, without a model call", async () => {
    const model = new FakeChatModel(() => ({ deltas: ["never"] }));
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed() } });
    const h = harness({ userText: "hello" });
    h.input.buildContext = async () => {
      throw Object.assign(new Error("Your message is 9000 tokens; this model takes at most 4000. Shorten it."), { code: "message_too_long" });
    };
    const r = await agent.run(h.input);
    expect(r).toMatchObject({ finishReason: "error", text: "", error: { code: "message_too_long", retryable: false } });
    expect(r.error!.message).toMatch(/at most 4000/);
    expect(model.calls).toHaveLength(0);
  });

  it("wraps an unexpected memory failure in words", async () => {
    const agent = new ManagerAgent({ model: new FakeChatModel(() => ({ deltas: [] })), config: { today, speed: knownModelSpeed() } });
    const h = harness({ userText: "hello" });
    h.input.buildContext = async () => {
      throw new Error("disk I/O error");
    };
    const r = await agent.run(h.input);
    expect(r.error).toMatchObject({ code: "internal" });
    expect(r.error!.message).toMatch(/could not be prepared for the model: disk I\/O error\. Try again/);
  });
});
