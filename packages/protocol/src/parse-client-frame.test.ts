import { describe, expect, it } from "vitest";
import { parseClientFrame } from "./parse-client-frame.js";

describe("parseClientFrame", () => {
  it("accepts a valid message.send and fills defaults", () => {
    const r = parseClientFrame(JSON.stringify({ type: "message.send", clientMessageId: "c1", content: "hi" }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.frame).toMatchObject({ type: "message.send", conversationId: null, options: { taskType: "auto", bypassCache: false } });
  });

  it("names invalid JSON", () => {
    const r = parseClientFrame("{nope");
    expect(r).toMatchObject({ ok: false, error: { type: "error", code: "invalid_json" } });
  });

  it("names an unknown type and lists the known ones", () => {
    const r = parseClientFrame(JSON.stringify({ type: "launch.rockets", requestId: "r9" }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe("invalid_frame");
    expect(r.error.message).toContain('Unknown frame type "launch.rockets"');
    expect(r.error.message).toContain("message.send");
    expect(r.error.requestId).toBe("r9");
  });

  it("names the wrong field of a known type", () => {
    const r = parseClientFrame(JSON.stringify({ type: "message.send", clientMessageId: "c1", content: 42 }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.frameType).toBe("message.send");
    expect(r.error.issues?.[0]?.path).toBe("content");
  });

  it("refuses unknown extra fields, empty content and bad ids", () => {
    for (const frame of [
      { type: "run.stop", runId: "r", extra: 1 },
      { type: "message.send", clientMessageId: "c1", content: "   " },
      { type: "message.send", clientMessageId: "has space", content: "x" },
      { type: "memory.pin", conversationId: "c" },
      { type: "hello" },
      [1, 2],
      "string",
    ]) {
      expect(parseClientFrame(JSON.stringify(frame)).ok, JSON.stringify(frame)).toBe(false);
    }
  });
});
