import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  buildContext,
  computeBudget,
  countRequest,
  createEstimatingTokenCounter,
  defaultSafetyMargin,
  truncateToTokens,
  type ContextMessage,
} from "@alma/memory";
import type { ChatMessage } from "@alma/llm";
import { runOptionsSchema } from "@alma/protocol";
import type { AgentRunInput, RequestMeasure } from "./agent-run.js";
import { ManagerAgent } from "./manager-agent.js";
import { analyticalResponder } from "./testing/analytical-responder.js";
import { knownModelSpeed } from "./testing/fast-model-speed.js";
import { FakeChatModel } from "./testing/fake-chat-model.js";

const counter = createEstimatingTokenCounter();
const word = fc.constantFrom("latency", "the", "queue", "throughput", "Postgres", "naïve", "résumé", "数据库", "🙂", "and", "of");
const text = (min: number, max: number) => fc.array(word, { minLength: min, maxLength: max }).map((w) => w.join(" "));

/** A run input over a real memory trim (the estimate counter) in a window of `window` tokens. */
function input(window: number, history: ContextMessage[], userText: string, taskType: "auto" | "analytical" | "creative" | "conversational"): AgentRunInput {
  const messages: ContextMessage[] = [...history, { id: "u", role: "user", content: userText }];
  const measure: RequestMeasure = {
    window: () => ({ tokens: window, source: "server", detail: "test", server: null }),
    countRequest: (m) => countRequest(counter, m),
    countText: async (t) => counter.countText(t),
    truncate: (t, n) => truncateToTokens(counter, t, n),
  };
  return {
    conversationId: "c",
    userMessageId: "u",
    assistantMessageId: "a",
    userText,
    options: runOptionsSchema.parse({ taskType }),
    buildContext: async ({ system, outputBudget, shrink, contextWindow }) => {
      const built = await buildContext({
        system,
        messages,
        budget: computeBudget({ contextWindow: Math.min(window, contextWindow ?? Infinity), outputBudget }),
        counter,
        ...(shrink ? { shrink } : {}),
      });
      return { messages: built.messages, stats: built.stats };
    },
    measure,
    signal: new AbortController().signal,
    emit: () => {},
    meter: { requestBuilt() {}, upstreamStarted() {}, retried() {} },
    receivedAt: Date.now(),
  };
}

describe("every request of a run fits the window (property)", () => {
  it("prompt + max_tokens never exceeds the window minus its margin, budgets never go negative, and every run answers", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1024, max: 16_384 }),
        fc.array(fc.tuple(text(1, 120), text(1, 200)), { maxLength: 30 }),
        text(3, 150),
        fc.constantFrom("auto", "analytical", "creative", "conversational"),
        async (window, turns, userText, taskType) => {
          const history: ContextMessage[] = turns.flatMap(([q, a], i) => [
            { id: `q${i}`, role: "user", content: q },
            { id: `a${i}`, role: "assistant", content: a },
          ]);
          const sent: Array<{ messages: ChatMessage[]; max: number }> = [];
          const respond = analyticalResponder();
          const model = new FakeChatModel((messages, options) => {
            sent.push({ messages, max: options.maxOutputTokens });
            return respond(messages, options);
          });
          const agent = new ManagerAgent({ model, config: { speed: knownModelSpeed() } });
          const r = await agent.run(input(window, history, `${userText} compare them`, taskType));
          expect(r.error).toBeNull();
          expect(sent.length).toBeGreaterThan(0);
          const margin = defaultSafetyMargin(window);
          for (const s of sent) {
            expect(s.max).toBeGreaterThan(0);
            expect((await countRequest(counter, s.messages)) + s.max).toBeLessThanOrEqual(window - margin);
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});
