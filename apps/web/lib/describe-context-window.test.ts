import { describe, expect, it } from "vitest";
import { describeContextWindow } from "./describe-context-window";

describe("describeContextWindow", () => {
  it("names the server's own figure with the endpoint that told it", () => {
    expect(describeContextWindow({ tokens: 2048, source: "server", detail: "vLLM: GET /v1/models max_model_len" })).toBe(
      "2,048-token window, told by the server (vLLM: GET /v1/models max_model_len)",
    );
    expect(describeContextWindow({ tokens: 2048, source: "server" })).toBe("2,048-token window, told by the server");
  });

  it("says an assumed window is a guess and how to set it", () => {
    expect(describeContextWindow({ tokens: 4096, source: "default", detail: "assumed: nothing told the window" })).toBe(
      "assumed 4,096 tokens: the server does not tell its window; set ALMA_CONTEXT_WINDOW to the model's context length",
    );
  });

  it("words every other source", () => {
    expect(describeContextWindow({ tokens: 8192, source: "setting" })).toBe("8,192-token window, from ALMA_CONTEXT_WINDOW");
    expect(describeContextWindow({ tokens: 8192, source: "error" })).toBe("8,192-token window, learned from the server's refusal");
    expect(describeContextWindow({ tokens: 8192, source: "engine" })).toBe("8,192-token window, the embedded engine's loaded context");
    expect(describeContextWindow({ tokens: 128000, source: "known" })).toBe("128,000-token window, known OpenAI model");
  });

  it("gives only the size when an older server does not say where it came from", () => {
    expect(describeContextWindow({ tokens: 8192 })).toBe("8,192-token window");
    expect(describeContextWindow({ tokens: 8192, source: null })).toBe("8,192-token window");
  });
});
