import { describe, expect, it } from "vitest";
import { conversationalPrompt } from "./conversational-prompt.js";

describe("conversationalPrompt", () => {
  it("renders a short-reply system prompt", () => {
    const r = conversationalPrompt.render({ today: "2025-03-01" });
    expect(r.system).toMatch(/^You are alma/);
    expect(r.system).toContain("Style: Short and warm");
    expect(r.system).toContain("2025-03-01");
    expect(r.instruction).toBeNull();
    expect(conversationalPrompt.maxOutputTokens).toBeLessThanOrEqual(512);
  });
});
