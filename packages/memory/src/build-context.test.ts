import type { ChatMessage } from "@alma/llm";
import { countOpenAIChatTokens } from "@alma/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeBudget, type PromptBudget } from "./budget.js";
import { type BuildContextResult, buildContext, renderMemoryText, type ContextMessage } from "./build-context.js";
import { ContextOverflowError } from "./context-overflow-error.js";
import { MessageCountCache } from "./message-count-cache.js";
import { createOpenAITokenCounter } from "./openai-token-counter.js";
import { conversationArb, independentOpenAICount } from "./test-conversations.js";
import type { TokenCounter } from "./token-counter.js";

const counter = createOpenAITokenCounter("gpt-4o");
const budgetOf = (promptBudget: number): PromptBudget => ({ contextWindow: promptBudget + 100, outputBudget: 80, safetyMargin: 20, promptBudget });

function toolIds(messages: readonly ChatMessage[]) {
  const calls = new Set<string>();
  const results = new Set<string>();
  for (const m of messages) {
    if (m.role === "assistant") for (const c of m.toolCalls ?? []) calls.add(c.id);
    if (m.role === "tool") results.add(m.toolCallId);
  }
  return { calls, results };
}

describe("buildContext properties", () => {
  it("never exceeds the budget, keeps system and newest user, cuts only at turn starts, counts exactly", async () => {
    const cache = new MessageCountCache({ maxEntries: 5_000 });
    await fc.assert(
      fc.asyncProperty(
        conversationArb,
        fc.integer({ min: 20, max: 2_500 }),
        fc.string({ maxLength: 200 }),
        fc.array(fc.string({ minLength: 1, maxLength: 40 }), { maxLength: 3 }),
        fc.option(fc.lorem({ maxCount: 40 }), { nil: null }),
        async (messages, promptBudget, system, pinnedFacts, summary) => {
          const budget = budgetOf(promptBudget);
          const newest = messages[messages.length - 1]!;
          let result: BuildContextResult;
          try {
            result = await buildContext({ system, pinnedFacts, summary, messages, budget, counter, cache, conversationId: "c" });
          } catch (e) {
            expect(e).toBeInstanceOf(ContextOverflowError);
            const err = e as ContextOverflowError;
            const base = independentOpenAICount([{ role: "system", content: system }]);
            if (err.code === "system_too_long") expect(base).toBeGreaterThan(promptBudget);
            else expect(independentOpenAICount([{ role: "system", content: system }, newest])).toBeGreaterThan(promptBudget);
            expect(err.maxTokens).toBeLessThan(err.actualTokens);
            return;
          }
          const out = result.messages;
          expect(result.tokens).toBeLessThanOrEqual(promptBudget);
          expect(result.tokens).toBe(independentOpenAICount(out));
          expect(result.stats.promptTokens).toBe(result.tokens);
          expect(out[0]).toEqual({ role: "system", content: system });
          expect(out[out.length - 1]).toBe(newest);
          // the kept history is one contiguous suffix that starts a turn
          const cut = result.evictedUpTo;
          const hasMemory = out[1]?.role === "system";
          expect(out.slice(hasMemory ? 2 : 1, -1)).toEqual(messages.slice(cut, -1));
          expect(cut === 0 || cut === messages.length - 1 || messages[cut]!.role === "user").toBe(true);
          expect(result.evicted).toEqual(messages.slice(0, cut).map((m) => m.id));
          const { calls, results } = toolIds(out);
          expect([...calls].sort()).toEqual([...results].sort());
          // the next older turn would not have fit
          if (cut > 0) {
            let prev = cut - 1;
            while (prev > 0 && messages[prev]!.role !== "user") prev--;
            const bigger = [...out.slice(0, hasMemory ? 2 : 1), ...messages.slice(prev, cut), ...out.slice(hasMemory ? 2 : 1)];
            expect(independentOpenAICount(bigger)).toBeGreaterThan(promptBudget);
          }
          // a memory message holds only what the stats say
          if (hasMemory) {
            const facts = pinnedFacts.filter((f) => out[1]!.content.includes(`- ${f}\n`) || out[1]!.content.includes(`- ${f}`));
            expect(facts.length).toBeGreaterThanOrEqual(result.stats.pinnedFacts);
            expect(result.stats.hasSummary).toBe(summary !== null && summary.length > 0 && out[1]!.content.endsWith(summary));
          } else {
            expect(result.stats).toMatchObject({ pinnedFacts: 0, hasSummary: false });
          }
          // the wire count (what the fake server enforces) is never above ours
          expect(countOpenAIChatTokens(out.map((m) => ({ role: m.role, content: m.content, name: "name" in m ? m.name : undefined })))).toBeLessThanOrEqual(
            result.tokens,
          );
        },
      ),
      { numRuns: 2_000 },
    );
  }, 120_000);
});

describe("buildContext", () => {
  const system = "You are alma, a helpful assistant.";

  it("throws system_too_long when the system prompt alone is over the budget", async () => {
    const messages: ContextMessage[] = [{ id: "u", role: "user", content: "hi" }];
    await expect(buildContext({ system: "word ".repeat(500), messages, budget: budgetOf(100), counter })).rejects.toMatchObject({
      code: "system_too_long",
      message: expect.stringContaining("system prompt takes"),
    });
  });

  it("throws message_too_long saying how long the message may be", async () => {
    const messages: ContextMessage[] = [{ id: "u", role: "user", content: "word ".repeat(1_000) }];
    const err = (await buildContext({ system, messages, budget: budgetOf(300), counter }).catch((e) => e)) as ContextOverflowError;
    expect(err.code).toBe("message_too_long");
    expect(err.actualTokens).toBe(counter.countText("word ".repeat(1_000)));
    // the limit it states is exact: a message of that many tokens fits
    const fitting: ContextMessage[] = [{ id: "u", role: "user", content: "word".concat(" word".repeat(err.maxTokens - 1)) }];
    expect(counter.countText(fitting[0]!.content)).toBe(err.maxTokens);
    await expect(buildContext({ system, messages: fitting, budget: budgetOf(300), counter })).resolves.toMatchObject({ tokens: 300 });
    expect(err.message).toMatch(/may be at most \d+ tokens/);
    // people read the numbers: thousands are grouped
    expect(err.message).toContain(`Your message is ${err.actualTokens.toLocaleString("en-US")} tokens long`);
    expect(err.actualTokens).toBeGreaterThan(999);
    expect(err.message).toMatch(/is \d{1,3},\d{3} tokens long/);
  });

  it("keeps a fact pinned at turn 1 in the request at turn 200", async () => {
    const cache = new MessageCountCache();
    const messages: ContextMessage[] = [];
    const pinnedFacts = ["My code word is PELICAN-42."];
    let last: BuildContextResult | undefined;
    for (let turn = 1; turn <= 200; turn++) {
      messages.push({ id: `u${turn}`, role: "user", content: `Turn ${turn}: tell me something about the number ${turn}.` });
      last = await buildContext({ system, pinnedFacts, messages, budget: budgetOf(400), counter, cache });
      expect(last.messages[1]!.content).toContain("PELICAN-42");
      expect(last.tokens).toBeLessThanOrEqual(400);
      messages.push({
        id: `a${turn}`,
        role: "assistant",
        content: `The number ${turn} is ${turn % 2 ? "odd" : "even"}, and here is a long remark about it. `.repeat(3),
      });
    }
    expect(last!.stats.pinnedFacts).toBe(1);
    expect(last!.stats.messagesTrimmed).toBeGreaterThan(300);
  });

  it("drops older whole turns until the model's exact template count fits, and reports that count", async () => {
    const messages: ContextMessage[] = [];
    for (let t = 0; t < 4; t++) {
      messages.push({ id: `u${t}`, role: "user", content: `question ${t}` }, { id: `a${t}`, role: "assistant", content: `answer ${t}` });
    }
    messages.push({ id: "u4", role: "user", content: "newest" });
    // a template that costs 30 tokens per message: only the system prompt, one turn and the newest message fit in 100
    const exactCount = async (sent: ChatMessage[]) => sent.length * 30;
    const r = await buildContext({ system, messages, budget: budgetOf(130), counter, exactCount });
    expect(r.messages.map((m) => m.content)).toEqual([system, "question 3", "answer 3", "newest"]);
    expect(r.tokens).toBe(120);
    expect(r.stats.promptTokens).toBe(120);
    expect(r.evicted).toEqual(["u0", "a0", "u1", "a1", "u2", "a2"]);
    expect(r.evictedUpTo).toBe(6);
    await expect(buildContext({ system, messages, budget: budgetOf(50), counter, exactCount })).rejects.toMatchObject({ code: "message_too_long" });
  });

  it("excludes summarized messages and reports them", async () => {
    const messages: ContextMessage[] = [
      { id: "1", role: "user", content: "old" },
      { id: "2", role: "assistant", content: "old answer" },
      { id: "3", role: "user", content: "new" },
    ];
    const r = await buildContext({ system, summary: "The user said old things.", summarizedCount: 2, messages, budget: budgetOf(1_000), counter });
    expect(r.messages.map((m) => m.content)).toEqual([system, renderMemoryText([], "The user said old things."), "new"]);
    expect(r.stats).toMatchObject({ messagesSummarized: 2, messagesTrimmed: 0, hasSummary: true, messagesIn: 1, messagesTotal: 3 });
    expect(r.evicted).toEqual([]);
  });

  it("shrinks the budget on a retry and marks the stats", async () => {
    const messages: ContextMessage[] = [];
    for (let i = 0; i < 40; i++)
      messages.push(
        { id: `u${i}`, role: "user", content: `question ${i} `.repeat(10) },
        { id: `a${i}`, role: "assistant", content: `answer ${i} `.repeat(10) },
      );
    messages.push({ id: "last", role: "user", content: "now?" });
    const budget = computeBudget({ contextWindow: 2_048, outputBudget: 256 });
    const first = await buildContext({ system, messages, budget, counter });
    const retry = await buildContext({ system, messages, budget, counter, shrink: 1 });
    expect(retry.stats.retrimmed).toBe(true);
    expect(retry.tokens).toBeLessThanOrEqual(Math.floor(budget.promptBudget * 0.75));
    expect(retry.messages.length).toBeLessThan(first.messages.length);
  });

  it("drops an unanswered tool call and an orphan tool result instead of sending a broken pair", async () => {
    const messages: ContextMessage[] = [
      { id: "1", role: "user", content: "look it up" },
      {
        id: "2",
        role: "assistant",
        content: "",
        toolCalls: [
          { id: "c1", name: "search", arguments: "{}" },
          { id: "c2", name: "search", arguments: "{}" },
        ],
      },
      { id: "3", role: "tool", toolCallId: "c1", content: "result one" },
      { id: "4", role: "tool", toolCallId: "zz", content: "stray" },
      { id: "5", role: "user", content: "and?" },
    ];
    const r = await buildContext({ system, messages, budget: budgetOf(1_000), counter });
    const { calls, results } = toolIds(r.messages);
    expect([...calls]).toEqual(["c1"]);
    expect([...results]).toEqual(["c1"]);
    expect(r.tokens).toBe(independentOpenAICount(r.messages));
  });

  it("re-tokenizes only new messages: misses grow with the new messages, not the history", async () => {
    let tokenizations = 0;
    const counting: TokenCounter = {
      ...counter,
      countMessage: (m) => {
        tokenizations++;
        return counter.countMessage(m);
      },
    };
    const cache = new MessageCountCache();
    const messages: ContextMessage[] = [];
    for (let i = 0; i < 300; i++) messages.push({ id: `u${i}`, role: i % 2 ? "assistant" : "user", content: `message number ${i} with some words` });
    messages.push({ id: "q0", role: "user", content: "first question" });
    await buildContext({ system, pinnedFacts: ["fact"], messages, budget: budgetOf(3_000), counter: counting, cache });
    const afterWarm = tokenizations;
    for (let k = 1; k <= 50; k++) {
      messages.push({ id: `a${k}`, role: "assistant", content: `reply ${k}` }, { id: `q${k}`, role: "user", content: `question ${k}` });
      // fresh objects each call, as when the server reloads messages from the store
      const reloaded = messages.map((m) => ({ ...m }));
      const before = cache.stats();
      await buildContext({ system, pinnedFacts: ["fact"], messages: reloaded, budget: budgetOf(3_000), counter: counting, cache });
      expect(tokenizations - afterWarm).toBe(2 * k);
      expect(cache.stats().misses - before.misses).toBe(2);
    }
    expect(cache.stats().hits).toBeGreaterThan(1_000);
  });
});
