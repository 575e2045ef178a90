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
