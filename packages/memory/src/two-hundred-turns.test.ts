import { OpenAIChatModel, type ChatMessage } from "@alma/llm";
import { startFakeOpenAI, type FakeChatRequest, type FakeOpenAIServer } from "@alma/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeBudget } from "./budget.js";
import { buildContext, type ContextMessage } from "./build-context.js";
import { MessageCountCache } from "./message-count-cache.js";
import { createOpenAITokenCounter } from "./openai-token-counter.js";
import { SUMMARY_SYSTEM_PROMPT, summarizeEvicted } from "./summarize-evicted.js";
import { SummaryScheduler } from "./summary-scheduler.js";

// The fake model: answers chat turns with ~80 words; as a summarizer it keeps every sentence that states a fact.
function fakeModel(request: FakeChatRequest): string {
  const system = String(request.messages[0]?.content ?? "");
  if (system === SUMMARY_SYSTEM_PROMPT) {
    const input = String(request.messages[1]?.content ?? "");
    const facts = input.match(/[^.\n]*code word is [A-Z0-9-]+\./g) ?? [];
    return [...new Set(facts.map((f) => f.replace(/^.*?(my|the user's) /i, "The user's ").trim()))].join(" ") || "Small talk about numbers.";
  }
  const turn = request.messages.length;
  return `Here is a fairly long answer number ${turn}, written to fill the window quickly: ${"lorem ipsum dolor sit amet ".repeat(14)}`;
}

describe("200 turns against a server enforcing a 2,048-token window", () => {
  let server: FakeOpenAIServer;
  beforeAll(async () => {
    server = await startFakeOpenAI({ contextWindow: 2_048, handler: fakeModel });
  });
  afterAll(async () => {
    await server.close();
  });

  it("runs to the end with no context_length_exceeded, and a turn-1 fact survives in the summary", async () => {
    const model = new OpenAIChatModel({ baseURL: server.url, apiKey: "test", model: "gpt-4o", contextWindow: 2_048 });
    const counter = createOpenAITokenCounter(model.model);
    const cache = new MessageCountCache();
    const budget = computeBudget({ contextWindow: model.contextWindow(), outputBudget: 200 });
    const store = { summary: null as string | null, summarizedCount: 0, messages: [] as ContextMessage[] };
    const scheduler = new SummaryScheduler({
      summarize: ({ previousSummary, evicted, signal }) =>
        summarizeEvicted({ model, counter, previousSummary, evicted, maxSummaryTokens: 150, maxInputTokens: budget.promptBudget, signal }),
      load: () => store,
      save: (_id, summary, summarizedCount) => {
        store.summary = summary;
        store.summarizedCount = summarizedCount;
      },
    });
    const system = "You are alma, a helpful assistant.";
    for (let turn = 1; turn <= 200; turn++) {
      const text = turn === 1 ? "Remember this: my code word is PELICAN-42." : `Turn ${turn}: tell me something about the number ${turn}.`;
      store.messages.push({ id: `u${turn}`, role: "user", content: text });
      const ctx = await buildContext({
        system,
        summary: store.summary,
        summarizedCount: store.summarizedCount,
        messages: store.messages,
        budget,
        counter,
        cache,
        conversationId: "c1",
      });
      let answer = "";
      for await (const chunk of model.stream(ctx.messages as ChatMessage[], { maxOutputTokens: budget.outputBudget })) {
        if (chunk.type === "delta") answer += chunk.text;
      }
      store.messages.push({ id: `a${turn}`, role: "assistant", content: answer });
      scheduler.schedule("c1", ctx.evictedUpTo);
      await scheduler.idle("c1");
    }
    const refused = server.requests.filter((r) => r.status === 400);
    expect(refused).toEqual([]);
    expect(server.chatRequests().length).toBeGreaterThan(200);
    expect(store.summarizedCount).toBeGreaterThan(300);
    expect(store.summary).toContain("PELICAN-42");
    scheduler.close();
    await model.close();
  }, 120_000);
});
