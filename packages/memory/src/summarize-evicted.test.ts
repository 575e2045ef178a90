import { ScriptedChatModel, type ChatMessage } from "@alma/llm";
import { describe, expect, it } from "vitest";
import { createOpenAITokenCounter } from "./openai-token-counter.js";
import { summarizeEvicted } from "./summarize-evicted.js";

const counter = createOpenAITokenCounter("gpt-4o");
const turns = (n: number): ChatMessage[] =>
  Array.from({ length: n }, (_, i) => ({ role: i % 2 ? "assistant" : "user", content: `message number ${i} ${"filler ".repeat(20)}` }) as ChatMessage);

describe("summarizeEvicted", () => {
  it("folds a long eviction in several requests that each fit, carrying the summary forward", async () => {
    const requests: ChatMessage[][] = [];
    const model = new ScriptedChatModel({
      reply: (messages) => {
        requests.push(messages);
        return `summary ${requests.length}`;
      },
    });
    const summary = await summarizeEvicted({ model, counter, previousSummary: "the start", evicted: turns(20), maxSummaryTokens: 50, maxInputTokens: 400 });
    expect(summary).toBe(`summary ${requests.length}`);
    expect(requests.length).toBeGreaterThan(1);
    for (const r of requests) {
      let tokens = counter.replyPriming;
      for (const m of r) tokens += counter.countMessage(m) as number;
      expect(tokens).toBeLessThanOrEqual(400);
    }
    expect(requests[0]![1]!.content).toContain("Previous summary:\nthe start");
    expect(requests[1]![1]!.content).toContain("Previous summary:\nsummary 1");
    const all = requests.map((r) => r[1]!.content).join("\n");
    for (let i = 0; i < 20; i++) expect(all).toContain(`message number ${i} `);
  });

  it("bounds the summary in tokens and cuts a single message longer than a request", async () => {
    const asked: number[] = [];
    const model = new ScriptedChatModel({
      reply: (_messages, options) => {
        asked.push(options.maxOutputTokens);
        return "word ".repeat(500);
      },
    });
    const huge: ChatMessage = { role: "user", content: "x ".repeat(5000) };
    const summary = await summarizeEvicted({ model, counter, previousSummary: null, evicted: [huge], maxSummaryTokens: 30, maxInputTokens: 300 });
    expect(asked).toEqual([30]);
    expect(counter.countText(summary)).toBeLessThanOrEqual(30);
  });

  it("keeps each request within maxInputTokens even when the stored summary is over the bound", async () => {
    const sizes: number[] = [];
    const model = new ScriptedChatModel({
      reply: (messages) => {
        sizes.push(counter.replyPriming + messages.reduce((n, m) => n + (counter.countMessage(m) as number), 0));
        return "short";
      },
    });
    const stored = "an old and very long summary ".repeat(100);
    await summarizeEvicted({ model, counter, previousSummary: stored, evicted: turns(6), maxSummaryTokens: 50, maxInputTokens: 400 });
    expect(sizes.length).toBeGreaterThan(0);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(400);
  });

  it("rejects an empty model answer, a budget with no room, and stops when aborted", async () => {
    const empty = new ScriptedChatModel({ reply: () => ({ tokens: [] }) });
    await expect(
      summarizeEvicted({ model: empty, counter, previousSummary: null, evicted: turns(2), maxSummaryTokens: 30, maxInputTokens: 300 }),
    ).rejects.toThrow(/empty summary/);
    const model = new ScriptedChatModel({ reply: "s" });
    await expect(summarizeEvicted({ model, counter, previousSummary: null, evicted: turns(2), maxSummaryTokens: 30, maxInputTokens: 60 })).rejects.toThrow(
      /leaves no room/,
    );
    const ctrl = new AbortController();
    ctrl.abort();
    await expect(
      summarizeEvicted({ model, counter, previousSummary: null, evicted: turns(20), maxSummaryTokens: 50, maxInputTokens: 400, signal: ctrl.signal }),
    ).rejects.toThrow();
    expect(await summarizeEvicted({ model, counter, previousSummary: "kept", evicted: [], maxSummaryTokens: 30, maxInputTokens: 300 })).toBe("kept");
  });
});
