import { describe, expect, it } from "vitest";
import { classifyWithModel } from "./classify-with-model.js";
import { FakeChatModel } from "./testing/fake-chat-model.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("classifyWithModel", () => {
  it("returns the model's classification with its usage", async () => {
    const model = new FakeChatModel(() => ({ deltas: ['{"type":"analytical","confidence":0.7}'] }));
    const r = await classifyWithModel(model, "why?");
    expect(r).toEqual({ ok: true, classification: { type: "analytical", confidence: 0.7 }, promptTokens: 10, completionTokens: 1 });
  });

  it("clears its timeout once the model answered, so nothing fires on the finished request", async () => {
    const model = new FakeChatModel(() => ({ deltas: ['{"type":"creative","confidence":0.9}'] }));
    const r = await classifyWithModel(model, "a poem?", { timeoutMs: 20 });
    expect(r.ok).toBe(true);
    const signal = model.calls[0]!.options.signal!;
    await sleep(60);
    expect(signal.aborted).toBe(false);
  });

  it("still times out a model that does not answer", async () => {
    const model = new FakeChatModel(() => ({ deltas: ["{", "}"], delayMs: 200 }));
    const r = await classifyWithModel(model, "a poem?", { timeoutMs: 20 });
    expect(r).toEqual({ ok: false, reason: "the model did not answer within 20 ms" });
  });
});
