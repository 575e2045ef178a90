import { describe, expect, it } from "vitest";
import { runErrorLine } from "./run-error-line.js";

describe("runErrorLine", () => {
  it("adds that the partial answer is kept only when there is one and the message does not say so already", () => {
    expect(runErrorLine("The provider cut the stream; retry.", true)).toBe("alma: The provider cut the stream; retry. The partial answer is kept.");
    expect(runErrorLine("The provider is down.", false)).toBe("alma: The provider is down.");
    expect(runErrorLine("The server shut down during this answer. The partial answer was kept; continue it when the server is back.", true)).toBe(
      "alma: The server shut down during this answer. The partial answer was kept; continue it when the server is back.",
    );
    expect(runErrorLine("Its partial answer is kept as interrupted.", true)).toBe("alma: Its partial answer is kept as interrupted.");
  });
});
