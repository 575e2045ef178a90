import { describe, expect, it } from "vitest";
import { ManagerAgent } from "./manager-agent.js";
import { ResponseCache } from "./response-cache.js";
import { analyticalResponder, TASK } from "./testing/analytical-responder.js";
import { checkRunEventOrder } from "./testing/check-run-event-order.js";
import { FakeChatModel } from "./testing/fake-chat-model.js";
import { knownModelSpeed } from "./testing/fast-model-speed.js";
import { harness, progressEvents } from "./testing/run-harness.js";

const today = () => "2025-06-01";

describe("ManagerAgent: response cache", () => {
  function setup(reply = () => ({ deltas: ["Hel", "lo ", "you!"] })) {
    const cache = new ResponseCache();
    const model = new FakeChatModel(reply);
    return { cache, model, agent: new ManagerAgent({ model, cache, config: { today, speed: knownModelSpeed(), review: "off" } }) };
  }

  it("answers a repeated request from the cache through the same events, with no model call", async () => {
    const { cache, model, agent } = setup();
    const first = harness({ userText: "hello" });
    await agent.run(first.input);
    const second = harness({ userText: "hello" });
    const r = await agent.run(second.input);
    // how fast a hit answers is measured in bench/ (ttft.bench.ts); here: it answers without asking the model
    expect(r.cacheHit).toBe(true);
    expect(r.text).toBe("Hello you!");
    expect(model.calls).toHaveLength(1);
    const tokens = (h: typeof first) => h.events.flatMap((e) => (e.type === "run.token" ? [e.text] : []));
    expect(tokens(second)).toEqual(tokens(first));
    expect(progressEvents(second.events).map((e) => e.phase)).toEqual(["classifying", "recalling_memory", "cache_hit", "done"]);
    cache.close();
  });

  it("misses for the same question in a different conversation state, and on bypass", async () => {
    const { cache, model, agent } = setup();
    await agent.run(harness({ userText: "hello" }).input);
    const other = await agent.run(
      harness({
        userText: "hello",
        history: [
          { role: "user", content: "hi" },
          { role: "assistant", content: "hey" },
        ],
      }).input,
    );
    expect(other.cacheHit).toBe(false);
    const bypass = await agent.run(harness({ userText: "hello", options: { bypassCache: true } }).input);
    expect(bypass.cacheHit).toBe(false);
    expect(model.calls).toHaveLength(3);
    cache.close();
  });

  it("keeps creative answers out unless asked, and never stores partial answers", async () => {
    const { cache, model, agent } = setup();
    await agent.run(harness({ userText: "Write a haiku about rain" }).input);
    expect((await agent.run(harness({ userText: "Write a haiku about rain" }).input)).cacheHit).toBe(false);
    await agent.run(harness({ userText: "Write a haiku about snow", options: { useCacheForCreative: true } }).input);
    expect((await agent.run(harness({ userText: "Write a haiku about snow", options: { useCacheForCreative: true } }).input)).cacheHit).toBe(true);
    expect(model.calls).toHaveLength(3);
    await agent.run(harness({ userText: "hi there", options: { maxOutputTokens: 1 } }).input);
    expect(cache.stats().entries).toBe(1);
    cache.close();
  });

  it("replays an analytical answer with its plan and steps", async () => {
    const cache = new ResponseCache();
    const model = new FakeChatModel(analyticalResponder());
    const agent = new ManagerAgent({ model, cache, config: { today, speed: knownModelSpeed(), review: "off" } });
    const first = harness({ userText: TASK });
    const live = await agent.run(first.input);
    const calls = model.calls.length;
    const second = harness({ userText: TASK });
    const r = await agent.run(second.input);
    expect(model.calls.length).toBe(calls);
    expect(r.cacheHit).toBe(true);
    expect(checkRunEventOrder(second.events)).toEqual([]);
    expect(r.text).toBe(live.text);
    expect(r.steps).toEqual(live.steps);
    expect(second.textBy()).toEqual(first.textBy());
    cache.close();
  });

  it("remembers a model classification so a repeated ambiguous question makes no model call", async () => {
    const cache = new ResponseCache();
    const model = new FakeChatModel((m) =>
      m[0]!.content.startsWith("Classify") ? { deltas: ['{"type":"conversational","confidence":0.8}'] } : { deltas: ["Sure."] },
    );
    const agent = new ManagerAgent({ model, cache, config: { today, speed: knownModelSpeed(), review: "off" } });
    await agent.run(harness({ userText: "my day was long and kind of boring" }).input);
    const r = await agent.run(harness({ userText: "my day was long and kind of boring" }).input);
    expect(r.cacheHit).toBe(true);
    expect(r.classification.source).toBe("model");
    expect(model.calls).toHaveLength(2);
    cache.close();
  });
});
