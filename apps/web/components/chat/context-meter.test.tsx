import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import type { ContextStats } from "@alma/protocol";
import { TooltipProvider } from "@/components/ui/tooltip";
import { ContextMeter } from "./context-meter";

afterEach(cleanup);

const context: ContextStats = {
  contextWindow: 4096,
  promptBudget: 3000,
  outputBudget: 1000,
  promptTokens: 1024,
  messagesIn: 3,
  messagesTotal: 3,
  messagesTrimmed: 0,
  messagesSummarized: 0,
  pinnedFacts: 0,
  hasSummary: false,
  fill: 0.25,
  tokenizer: "estimate",
  retrimmed: false,
};

function meterLabel(ui: React.ReactElement): string {
  render(<TooltipProvider>{ui}</TooltipProvider>);
  return screen.getByTestId("context-meter").getAttribute("aria-label") ?? "";
}

describe("ContextMeter", () => {
  it("says an assumed window is a guess and how to set the real one", () => {
    const label = meterLabel(<ContextMeter context={{ ...context, windowSource: "default" }} summarizedCount={0} />);
    expect(label).toContain("25% full");
    expect(label).toContain("Assumed 4,096 tokens: the server does not tell its window; set ALMA_CONTEXT_WINDOW");
  });

  it("names the endpoint that told the window when the model status describes the same one", () => {
    const modelWindow = { tokens: 4096, source: "server" as const, detail: "vLLM: GET /v1/models max_model_len", server: "vllm" as const };
    const label = meterLabel(<ContextMeter context={{ ...context, windowSource: "server" }} summarizedCount={0} modelWindow={modelWindow} />);
    expect(label).toContain("4,096-token window, told by the server (vLLM: GET /v1/models max_model_len).");
  });

  it("does not borrow the model's detail for another window", () => {
    const modelWindow = { tokens: 8192, source: "server" as const, detail: "vLLM: GET /v1/models max_model_len", server: "vllm" as const };
    const label = meterLabel(<ContextMeter context={{ ...context, windowSource: "error" }} summarizedCount={0} modelWindow={modelWindow} />);
    expect(label).toContain("4,096-token window, learned from the server's refusal.");
    expect(label).not.toContain("vLLM");
  });
});
