import { describe, expect, it } from "vitest";
import { creativePrompt } from "./creative-prompt.js";
import { conversationalPrompt } from "./conversational-prompt.js";

describe("creativePrompt", () => {
  it("renders a system prompt with style and date and no extra instruction", () => {
    const r = creativePrompt.render({ today: "2025-03-01" });
    expect(r.system).toContain(creativePrompt.system);
    expect(r.system).toContain(`Style: ${creativePrompt.style}`);
    expect(r.system).toContain("Today is 2025-03-01.");
    expect(r.instruction).toBeNull();
  });
  it("runs hotter than the conversational template, within a bounded budget", () => {
    expect(creativePrompt.temperature).toBeGreaterThan(conversationalPrompt.temperature);
    expect(creativePrompt.maxOutputTokens).toBeGreaterThan(0);
    expect(creativePrompt.taskType).toBe("creative");
  });
});
