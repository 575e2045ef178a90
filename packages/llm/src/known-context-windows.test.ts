import { describe, expect, it } from "vitest";
import { knownContextWindow } from "./known-context-windows.js";

describe("knownContextWindow", () => {
  it("knows common OpenAI models and their dated snapshots", () => {
    expect(knownContextWindow("gpt-4o")).toBe(128_000);
    expect(knownContextWindow("gpt-4o-mini-2024-07-18")).toBe(128_000);
    expect(knownContextWindow("gpt-4.1-nano")).toBe(1_047_576);
    expect(knownContextWindow("gpt-3.5-turbo")).toBe(16_385);
    expect(knownContextWindow("gpt-4-turbo-2024-04-09")).toBe(128_000);
    expect(knownContextWindow("gpt-4")).toBe(8_192);
    expect(knownContextWindow("o1")).toBe(200_000);
    expect(knownContextWindow("o1-mini")).toBe(128_000);
    expect(knownContextWindow("o3-mini")).toBe(200_000);
    expect(knownContextWindow("o4-mini")).toBe(200_000);
    expect(knownContextWindow("gpt-5-mini")).toBe(400_000);
    expect(knownContextWindow("gpt-5.1")).toBe(400_000);
  });

  it("returns null for unknown names rather than guessing", () => {
    expect(knownContextWindow("qwen2.5:0.5b")).toBeNull();
    expect(knownContextWindow("gpt-40")).toBeNull();
    expect(knownContextWindow("o10")).toBeNull();
  });
});
