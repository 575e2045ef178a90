import { describe, expect, it } from "vitest";
import { ModelSpeedTracker, sampleRate, updateSpeed, type SpeedEstimate } from "./model-speed.js";

describe("model speed", () => {
  it("reads a decode rate only from samples long enough to tell", () => {
    expect(sampleRate({ ttftMs: 100, tokens: 3, decodeMs: 1000 })).toBeNull();
    expect(sampleRate({ ttftMs: 100, tokens: 13, decodeMs: 1000 })).toBe(12);
  });

  it("follows recent requests: a model that slows down is seen within a few runs", () => {
    let e: SpeedEstimate | null = null;
    e = updateSpeed(e, { ttftMs: 200, tokens: 41, decodeMs: 1000 }, 1);
    expect(e).toMatchObject({ tokensPerSecond: 40, ttftMs: 200, samples: 1 });
    for (let i = 0; i < 6; i++) e = updateSpeed(e, { ttftMs: 900, tokens: 13, decodeMs: 1000 }, 2 + i);
    expect(e!.tokensPerSecond).toBeLessThan(15);
    expect(e!.ttftMs).toBeGreaterThan(800);
  });

  it("keeps estimates per model in its store, so a restart plans with them", () => {
    const saved = new Map<string, SpeedEstimate>();
    const store = { load: (k: string) => saved.get(k) ?? null, save: (k: string, s: SpeedEstimate) => void saved.set(k, s) };
    const a = new ModelSpeedTracker(store);
    a.record("openai|http://h/v1|m", { ttftMs: 300, tokens: 25, decodeMs: 2000 });
    expect(a.get("openai|http://h/v1|other")).toBeNull();
    const b = new ModelSpeedTracker(store);
    expect(b.get("openai|http://h/v1|m")).toMatchObject({ tokensPerSecond: 12, ttftMs: 300 });
  });

  it("a failing store costs nothing but the estimate's persistence", () => {
    const t = new ModelSpeedTracker({
      load: () => {
        throw new Error("db gone");
      },
      save: () => {
        throw new Error("db gone");
      },
    });
    expect(t.get("m")).toBeNull();
    expect(t.record("m", { ttftMs: 100, tokens: 11, decodeMs: 500 })?.tokensPerSecond).toBe(20);
    expect(t.get("m")?.tokensPerSecond).toBe(20);
  });
});
