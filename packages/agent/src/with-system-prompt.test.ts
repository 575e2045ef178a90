import { describe, expect, it } from "vitest";
import { withSystemPrompt } from "./with-system-prompt.js";

describe("withSystemPrompt", () => {
  it("swaps the base prefix and keeps what memory appended", () => {
    const out = withSystemPrompt(
      [
        { role: "system", content: "BASE\n\nPinned: code word is fig" },
        { role: "user", content: "hi" },
      ],
      "ROLE",
      "BASE",
    );
    expect(out).toEqual([
      { role: "system", content: "ROLE\n\nPinned: code word is fig" },
      { role: "user", content: "hi" },
    ]);
  });
  it("replaces an unrelated system message and adds one when missing", () => {
    expect(withSystemPrompt([{ role: "system", content: "X" }], "ROLE", "BASE")).toEqual([{ role: "system", content: "ROLE" }]);
    expect(withSystemPrompt([{ role: "user", content: "q" }], "ROLE")).toEqual([
      { role: "system", content: "ROLE" },
      { role: "user", content: "q" },
    ]);
  });
});
