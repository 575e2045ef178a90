import { countOpenAIChatTokens } from "@alma/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { countRequest } from "./token-counter.js";
import { createOpenAITokenCounter, openAIEncodingForModel } from "./openai-token-counter.js";
import { conversationArb, independentOpenAICount } from "./test-conversations.js";

describe("openAIEncodingForModel", () => {
  it("maps model families to their encodings", () => {
    for (const m of ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "o1", "o3-mini", "o4-mini", "gpt-5", "gpt-5-nano", "openai/gpt-4o", "gpt-7-future"]) {
      expect(openAIEncodingForModel(m), m).toBe("o200k_base");
    }
    for (const m of ["gpt-3.5-turbo", "gpt-4", "gpt-4-0613", "gpt-4-turbo", "gpt-4-1106-preview", "gpt-4-32k"]) {
      expect(openAIEncodingForModel(m), m).toBe("cl100k_base");
    }
  });
});

describe("createOpenAITokenCounter", () => {
  it("counts a known chat exactly as OpenAI's cookbook does", async () => {
    const counter = createOpenAITokenCounter("gpt-4o");
    const messages = [
      { role: "system" as const, content: "You are a helpful assistant." },
      { role: "user" as const, content: "Hello!", name: "alice" },
    ];
    // system: 3 + 1 + 6; user: 3 + 1 + 2 + (1 + 1); priming 3
    expect(await countRequest(counter, messages)).toBe(3 + 1 + 6 + 3 + 1 + 2 + 2 + 3);
    expect(await countRequest(counter, messages)).toBe(countOpenAIChatTokens(messages));
  });

  it("counts special-token text as plain text instead of throwing", () => {
    const counter = createOpenAITokenCounter("gpt-4o");
    expect(counter.countText("<|endoftext|>")).toBeGreaterThan(1);
  });

  it("matches an independent encode() computation on random conversations, for both encodings", async () => {
    for (const model of ["gpt-4o", "gpt-4"] as const) {
      const counter = createOpenAITokenCounter(model);
      await fc.assert(
        fc.asyncProperty(conversationArb, async (messages) => {
          const enc = model === "gpt-4o" ? "o200k_base" : "cl100k_base";
          const ours = await countRequest(counter, messages);
          expect(ours).toBe(independentOpenAICount(messages, enc));
          // never below what the fake OpenAI server (and OpenAI) counts
          const wire = messages.map((m) =>
            m.role === "assistant" && m.toolCalls
              ? { role: m.role, content: m.content, tool_calls: m.toolCalls.map((c) => ({ function: { name: c.name, arguments: c.arguments } })) }
              : m,
          );
          expect(ours).toBeGreaterThanOrEqual(countOpenAIChatTokens(wire, enc));
        }),
        { numRuns: 150 },
      );
    }
  });

  it("counts tool definitions", () => {
    const counter = createOpenAITokenCounter("gpt-4o");
    const n = counter.countTools!([
      { name: "search", description: "Search the web", parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"] } },
    ]);
    expect(n).toBeGreaterThan(10);
  });
});
