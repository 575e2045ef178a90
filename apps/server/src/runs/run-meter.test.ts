import { describe, expect, it } from "vitest";
import { RunMeter } from "./run-meter.js";

describe("RunMeter", () => {
  it("measures each phase from receivedAt and tokens per second after the first token", () => {
    let t = 1000;
    const m = new RunMeter(1000, () => t);
    t = 1010;
    m.requestBuilt();
    t = 1020;
    m.upstreamStarted();
    m.retried();
    t = 1100;
    m.token();
    t = 1200;
    m.token();
    t = 1300;
    m.token();
    t = 1350;
    const r = m.finish({ usage: { promptTokens: 50, completionTokens: 3, reported: true }, cacheHit: false, provider: "p", model: "m" });
    expect(r).toMatchObject({
      receivedAt: 1000,
      requestBuiltMs: 10,
      upstreamStartedMs: 20,
      firstTokenMs: 100,
      lastTokenMs: 300,
      totalMs: 350,
      promptTokens: 50,
      completionTokens: 3,
      retries: 1,
    });
    expect(r.tokensPerSecond).toBeCloseTo(10); // 2 tokens after the first, over 200 ms
  });

  it("counts tokens itself without usage and has no rate for a single token", () => {
    let t = 0;
    const m = new RunMeter(0, () => t);
    t = 5;
    m.token();
    const r = m.finish({ usage: null, cacheHit: true, provider: "p", model: "m" });
    expect(r).toMatchObject({ completionTokens: 1, tokensPerSecond: null, requestBuiltMs: null, cacheHit: true, promptTokens: 0 });
  });
});

describe("RunMeter on the wall clock", () => {
  it("reads the phases from performance.now(): sub-millisecond offsets, anchored at receivedAt", () => {
    const receivedAt = Date.now();
    const m = new RunMeter(receivedAt, Date.now);
    m.requestBuilt();
    m.upstreamStarted();
    m.token();
    const r = m.finish({ usage: null, cacheHit: false, provider: "p", model: "m" });
    expect(r.receivedAt).toBe(receivedAt);
    const phases = [r.requestBuiltMs!, r.upstreamStartedMs!, r.firstTokenMs!, r.totalMs];
    // consecutive calls are microseconds apart: a whole-millisecond clock would give integers
    expect(phases.some((ms) => !Number.isInteger(ms))).toBe(true);
    expect([...phases].sort((a, b) => a - b)).toEqual(phases);
    // the time between receipt and the meter's creation is carried over (Date.now has whole milliseconds)
    expect(r.requestBuiltMs!).toBeLessThan(100);
  });

  it("counts the time between receipt and its creation", () => {
    let wall = 5000;
    let mono = 100;
    const m = new RunMeter(
      4990,
      () => wall,
      () => mono,
    );
    mono = 100.25;
    m.requestBuilt();
    mono = 103.5;
    wall = 5003;
    m.token();
    const r = m.finish({ usage: null, cacheHit: false, provider: "p", model: "m" });
    expect(r).toMatchObject({ requestBuiltMs: 10.25, firstTokenMs: 13.5, totalMs: 13.5 });
  });
  it("tokens/s is the model's decode rate over its requests: parallel steps do not add up, hidden planning is counted apart", () => {
    const m = new RunMeter(0, () => 0);
    const req = (role: "classify" | "plan" | "step" | "synthesis", stepId: string | null, tokens: number, tps: number | null) => ({
      role,
      stepId,
      agent: role === "step" ? "analyst" : "manager",
      startMs: 0,
      firstTokenMs: 100,
      endMs: 1000,
      promptTokens: 10,
      completionTokens: tokens,
      tokensPerSecond: tps,
      maxTokens: 500,
      finishReason: "stop",
    });
    m.request(req("classify", null, 8, null));
    m.request(req("plan", null, 81, 40));
    // two steps streaming side by side at 40 tokens/s each: 80 tokens/s on the wire, yet the model runs at 40
    m.request(req("step", "s1", 201, 40));
    m.request(req("step", "s2", 201, 40));
    m.addStep({ stepId: "s1", title: "A", startMs: 0, firstTokenMs: 100, endMs: 5000, completionTokens: 201, finishReason: "stop" });
    m.request(req("synthesis", null, 401, 40));
    const r = m.finish({ usage: null, cacheHit: false, provider: "p", model: "m" });
    expect(r.tokensPerSecond).toBeCloseTo(40, 6);
    // weighted by the time each request took, not an average of rates: 100 tokens at 10/s and 1,000 at 100/s
    const w = new RunMeter(0, () => 0);
    w.request(req("step", "a", 101, 10));
    w.request(req("step", "b", 1001, 100));
    expect(w.finish({ usage: null, cacheHit: false, provider: "p", model: "m" }).tokensPerSecond).toBeCloseTo(1100 / 20, 6);
    expect(r.planningTokens).toBe(81);
    expect(r.classificationTokens).toBe(8);
    expect(r.requests).toHaveLength(5);
    expect(r.steps[0]!.tokensPerSecond).toBeCloseTo(40, 6);
  });
});
