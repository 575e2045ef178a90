import { describe, expect, it } from "vitest";
import { classifyPrompt } from "./classify-prompt.js";

describe("classifyPrompt", () => {
  it("asks for the JSON shape deterministically with a tiny budget", () => {
    const r = classifyPrompt.render({ text: "hmm, tell me about rain" });
    expect(r.system).toContain('{"type": "...", "confidence": 0.0-1.0}');
    expect(r.instruction).toBe("hmm, tell me about rain");
    expect(classifyPrompt.temperature).toBe(0);
    expect(classifyPrompt.maxOutputTokens).toBeLessThanOrEqual(20);
  });
  it("cuts long messages", () => {
    expect(classifyPrompt.render({ text: "x".repeat(5000) }).instruction!.length).toBe(600);
  });
});
