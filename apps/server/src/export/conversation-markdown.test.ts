import { describe, expect, it } from "vitest";
import type { Message, StepRecord } from "@alma/protocol";
import type { ConversationExport } from "./conversation-export.js";
import { renderConversationMarkdown } from "./conversation-markdown.js";

const NOW = Date.UTC(2026, 11, 1, 14, 3, 0);

function exportOf(steps: StepRecord[]): ConversationExport {
  const base = { conversationId: "c1", createdAt: NOW, clientMessageId: null, pinned: false, usage: null, metrics: null, error: null, finishReason: null };
  const messages: Array<Message & { costUsd: number | null }> = [
    {
      ...base,
      id: "u1",
      role: "user",
      content: "Monthly payment on 300,000 at 6% over 30 years?",
      status: "complete",
      runId: null,
      taskType: null,
      steps: null,
      costUsd: null,
    },
    { ...base, id: "a1", role: "assistant", content: "About 1,798.65 a month.", status: "complete", runId: "r1", taskType: "analytical", steps, costUsd: null },
  ];
  return {
    version: 1,
    exportedAt: new Date(NOW).toISOString(),
    conversation: { id: "c1", title: "Loan", createdAt: NOW, updatedAt: NOW, summary: null, summarizedCount: 0 },
    messages,
    pinnedFacts: [],
    totals: { promptTokens: 0, completionTokens: 0, costUsd: null },
  };
}

const step = (tools: StepRecord["tools"]): StepRecord => ({
  id: "s1",
  title: "Compute the payment",
  agent: "calculator",
  dependsOn: [],
  text: "The sandbox gives 1798.65.",
  status: "complete",
  tools,
});

describe("renderConversationMarkdown", () => {
  it("keeps a step's tool calls: the tool, how it ended, the code it ran and what it gave, before the step's text", () => {
    const code = "const r = 0.06 / 12;\nconst n = 360;\n(300000 * r) / (1 - (1 + r) ** -n);";
    const md = renderConversationMarkdown(
      exportOf([
        step([
          {
            id: "t1",
            tool: "run_javascript",
            arguments: JSON.stringify({ code }),
            status: "ok",
            result: "1798.65",
            error: null,
            durationMs: 12,
            startedAt: NOW,
          },
          {
            id: "t2",
            tool: "search_documents",
            arguments: '{"query":"rate"}',
            status: "error",
            result: null,
            error: { code: "tool_failed", message: "no documents" },
            durationMs: 3,
            startedAt: NOW,
          },
        ]),
      ]),
    );
    expect(md).toContain(
      `### Step 1: Compute the payment\n\n**Tool \`run_javascript\`** _(ok, 12 ms)_\n\n\`\`\`js\n${code}\n\`\`\`\n\nResult:\n\n\`\`\`\n1798.65\n\`\`\``,
    );
    expect(md).toContain('**Tool `search_documents`** _(failed, 3 ms)_\n\n```json\n{"query":"rate"}\n```\n\nError: no documents');
    expect(md.indexOf("Error: no documents")).toBeLessThan(md.indexOf("The sandbox gives 1798.65."));
  });

  it("a result holding a fence is kept whole inside a longer fence", () => {
    const md = renderConversationMarkdown(
      exportOf([
        step([
          { id: "t1", tool: "run_javascript", arguments: "not json", status: "ok", result: "```\nx\n```", error: null, durationMs: null, startedAt: null },
        ]),
      ]),
    );
    expect(md).toContain("**Tool `run_javascript`** _(ok)_\n\n```\nnot json\n```\n\nResult:\n\n````\n```\nx\n```\n````");
  });

  it("puts the reviewer's pass after the answer, as Review, unnumbered", () => {
    const review: StepRecord = { id: "review", title: "Review", agent: "reviewer", dependsOn: [], text: "Every claim is supported.", status: "complete" };
    const md = renderConversationMarkdown(exportOf([step([]), review]));
    expect(md).toContain("### Step 1: Compute the payment");
    expect(md).not.toContain("### Step 2");
    expect(md).toContain("### Answer\n\nAbout 1,798.65 a month.\n\n### Review\n\nEvery claim is supported.");
  });
});
