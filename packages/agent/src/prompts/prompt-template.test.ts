import { describe, expect, it } from "vitest";
import { PROMPT_VERSION, systemWithStyle, templateVersionTag } from "./prompt-template.js";

describe("prompt-template", () => {
  it("tags a template with the global and its own version", () => {
    expect(templateVersionTag({ role: "creative", version: 3 })).toBe(`p${PROMPT_VERSION}/creative@3`);
  });
  it("appends the style to the system prompt only when there is one", () => {
    expect(systemWithStyle("Be X.", "Short.")).toBe("Be X.\n\nStyle: Short.");
    expect(systemWithStyle("Be X.", "")).toBe("Be X.");
  });
});
