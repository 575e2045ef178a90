import { describe, expect, it } from "vitest";
import { classifyRunEnd } from "./classify-run-end.js";

describe("classifyRunEnd", () => {
  it("a stop's cause wins, then a failure, then the agent's finish", () => {
    expect(classifyRunEnd({ cause: "user", failed: true, finishReason: null })).toEqual({ status: "stopped", finishReason: "stopped", outcome: "stopped" });
    expect(classifyRunEnd({ cause: "abandoned", failed: false, finishReason: "stop" }).outcome).toBe("stopped");
    expect(classifyRunEnd({ cause: "deadline", failed: false, finishReason: "stop" })).toEqual({
      status: "stopped",
      finishReason: "deadline",
      outcome: "deadline",
    });
    expect(classifyRunEnd({ cause: null, failed: false, finishReason: "deadline" }).outcome).toBe("deadline");
    expect(classifyRunEnd({ cause: "shutdown", failed: true, finishReason: null })).toEqual({
      status: "interrupted",
      finishReason: "interrupted",
      outcome: "interrupted",
    });
    expect(classifyRunEnd({ cause: null, failed: true, finishReason: "deadline" })).toEqual({ status: "failed", finishReason: "error", outcome: "failed" });
    expect(classifyRunEnd({ cause: null, failed: false, finishReason: "length" })).toEqual({
      status: "complete",
      finishReason: "length",
      outcome: "completed",
    });
    expect(classifyRunEnd({ cause: null, failed: false, finishReason: null }).finishReason).toBe("stop");
  });
});
