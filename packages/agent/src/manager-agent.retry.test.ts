import { describe, expect, it } from "vitest";
import { LlmError, type ChatMessage } from "@alma/llm";
import { ManagerAgent } from "./manager-agent.js";
import type { AgentEvent } from "./run-scope.js";
import { analyticalResponder, roleOf, TASK } from "./testing/analytical-responder.js";
import { FakeChatModel } from "./testing/fake-chat-model.js";
import { knownModelSpeed } from "./testing/fast-model-speed.js";
import { harness, progressEvents } from "./testing/run-harness.js";

const today = () => "2025-06-01";

describe("ManagerAgent: retries and overflow", () => {
  it("retries rate limits before the first token with visible progress", async () => {
    const model = new FakeChatModel((_m, _o, i) =>
      i < 2
        ? { deltas: [], error: new LlmError("provider_rate_limit", "Rate limited by the provider.", { retryable: true, status: 429, retryAfterMs: 20 }) }
        : { deltas: ["Hi!"] },
    );
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed(), review: "off", retryBaseMs: 1, random: () => 0 } });
    const h = harness({ userText: "hello" });
    const t0 = performance.now();
    const r = await agent.run(h.input);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(38);
    expect(r.text).toBe("Hi!");
    const retries = progressEvents(h.events).filter((e) => e.phase === "retrying");
    expect(retries.map((e) => e.attempt)).toEqual([1, 2]);
    expect(retries[0]!.label).toMatch(/^Rate limited by the provider\. Retrying in 0\.0 s \(attempt 1 of 2\)\.$/);
    expect(h.marks.retried).toBe(2);
    expect(h.marks.upstreamStarted).toBe(1);
  });

  it("gives up after maxRetries with the provider's error", async () => {
    const model = new FakeChatModel(() => ({
      deltas: [],
      error: new LlmError("provider_unavailable", "The provider is unavailable (503). Try again shortly.", { retryable: true, status: 503 }),
    }));
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed(), review: "off", retryBaseMs: 1, maxRetries: 1 } });
    const h = harness({ userText: "hello" });
    const r = await agent.run(h.input);
    expect(model.calls).toHaveLength(2);
    expect(r.error).toMatchObject({ code: "provider_unavailable", retryable: true });
  });

  it("keeps the partial text when the stream breaks after tokens, without retrying", async () => {
    const model = new FakeChatModel(() => ({
      deltas: ["a", "b", "c"],
      failAfter: { deltas: 2, error: new LlmError("stream_interrupted", "The stream was cut.", { retryable: true, afterFirstToken: true }) },
    }));
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed(), review: "off" } });
    const h = harness({ userText: "hello" });
    const r = await agent.run(h.input);
    expect(r).toMatchObject({ finishReason: "error", text: "ab", error: { code: "stream_interrupted", message: "The stream was cut.", retryable: true } });
    expect(model.calls).toHaveLength(1);
  });

  it("re-trims once with shrink after a context-length refusal and records it", async () => {
    const model = new FakeChatModel((_m, _o, i) =>
      i === 0 ? { deltas: [], error: new LlmError("provider_context_length", "Too long.", { status: 400 }) } : { deltas: ["fits"] },
    );
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed(), review: "off" } });
    const history: ChatMessage[] = [
      { role: "user", content: "old" },
      { role: "assistant", content: "older answer" },
    ];
    const h = harness({ userText: "hello", history });
    const r = await agent.run(h.input);
    expect(r.text).toBe("fits");
    expect(h.buildCalls.map((c) => c.shrink)).toEqual([undefined, 1]);
    expect(model.calls[1]!.messages).toHaveLength(2);
    const contexts = h.events.filter((e): e is Extract<AgentEvent, { type: "run.context" }> => e.type === "run.context");
    expect(contexts.map((e) => e.context.retrimmed)).toEqual([false, true]);
    expect(progressEvents(h.events).some((e) => e.phase === "retrying")).toBe(true);
  });
});

describe("ManagerAgent: overflow in a step", () => {
  it("re-trims once for a step refused as too long and finishes the step", async () => {
    let refused = false;
    const model = new FakeChatModel(
      analyticalResponder((role, stepId) => {
        if (role === "step" && stepId === "s1" && !refused) {
          refused = true;
          return { deltas: [], error: new LlmError("provider_context_length", "Too long.", { status: 400 }) };
        }
        return null;
      }),
    );
    const agent = new ManagerAgent({ model, config: { today, speed: knownModelSpeed(), review: "off" } });
    const h = harness({
      userText: TASK,
      history: [
        { role: "user", content: "old" },
        { role: "assistant", content: "older" },
      ],
    });
    const r = await agent.run(h.input);
    expect(r.steps!.map((s) => s.status)).toEqual(["complete", "complete", "complete"]);
    expect(h.buildCalls.map((c) => c.shrink)).toEqual([undefined, 1]);
    const retried = model.calls.filter((c) => roleOf(c.messages).stepTitle === "Latency");
    expect(retried).toHaveLength(2);
    expect(retried[1]!.messages.some((m) => m.content === "older")).toBe(false);
  });
});
