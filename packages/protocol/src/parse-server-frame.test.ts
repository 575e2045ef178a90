import { describe, expect, it } from "vitest";
import { parseServerFrame } from "./parse-server-frame.js";

describe("parseServerFrame", () => {
  it("accepts a token event", () => {
    const r = parseServerFrame(JSON.stringify({ type: "run.token", runId: "r", index: 3, at: 1, seq: 0, text: "Hi", agent: "manager", stepId: null }));
    expect(r.ok).toBe(true);
  });
  it("rejects a token event with a negative seq", () => {
    const r = parseServerFrame(JSON.stringify({ type: "run.token", runId: "r", index: 3, at: 1, seq: -1, text: "Hi", agent: "manager", stepId: null }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain("seq");
  });
});
