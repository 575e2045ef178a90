import { describe, expect, it } from "vitest";
import { continuePrompt } from "./continue-prompt.js";

describe("continuePrompt", () => {
  it("keeps the task's system prompt and asks to continue without repeating", () => {
    const r = continuePrompt.render({ baseSystem: "You are alma." });
    expect(r.system).toBe("You are alma.");
    expect(r.instruction).toMatch(/Continue your previous answer/);
    expect(r.instruction).toMatch(/Do not repeat/);
  });
});
