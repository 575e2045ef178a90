import { countOpenAIPromptTokens, countOpenAITextTokens, ScriptedChatModel, type ChatMessage, type GenerateOptions } from "@alma/llm";
import { describe, expect, it } from "vitest";
import type { RunDocument } from "./agent-run.js";
import { ManagerAgent } from "./manager-agent.js";
import { openAIMeasure } from "./testing/openai-measure.js";
import { PLAN_MARKER } from "./prompts/analytical-plan-prompt.js";
import type { AgentEvent } from "./run-scope.js";
import { checkRunEventOrder } from "./testing/check-run-event-order.js";
import { knownModelSpeed } from "./testing/fast-model-speed.js";
import { harness } from "./testing/run-harness.js";
import { scriptedAnalytical, type StepRequest } from "./testing/scripted-analytical.js";
import { asPagedText, PAGE_170_FACT, twoHundredPages } from "../../tools/src/test-documents.js";

const WINDOW = 4096;

const paged = asPagedText(twoHundredPages());
const BIG: RunDocument = { id: "d1", name: "harbour-minutes.pdf", kind: "pdf", text: paged.text, pages: paged.pages, messageId: "u1" };
const SMALL: RunDocument = {
  id: "d2",
  name: "notes.txt",
  kind: "text",
  text: "Shopping list\nThe blue kettle costs 34 euros.\nThe red kettle costs 41 euros.",
  messageId: "u1",
};
const PLAN = {
  steps: [
    { id: "s1", title: "Find who repaired it", agent: "researcher", instruction: "Find in the document who repaired the foghorn and how.", dependsOn: [] },
    { id: "s2", title: "Give the context", agent: "analyst", instruction: "Explain why a foghorn matters to a harbour.", dependsOn: [] },
  ],
};

async function run(documents: RunDocument[], step: (r: StepRequest) => ReturnType<Parameters<typeof scriptedAnalytical>[0]["step"]>, userText: string) {
  const requests: Array<{ messages: ChatMessage[]; options: GenerateOptions }> = [];
  const model = new ScriptedChatModel({
    contextWindow: WINDOW,
    reply: scriptedAnalytical({ plan: PLAN, step, onRequest: (messages, options) => requests.push({ messages, options }) }),
  });
  const agent = new ManagerAgent({ model, config: { speed: knownModelSpeed(), review: "off" } });
  const h = harness({ userText });
  h.input.documents = documents;
  h.input.measure = openAIMeasure(WINDOW);
  const r = await agent.run(h.input);
  return { r, h, requests };
}

describe("ManagerAgent: the researcher over attached documents", () => {
  it("finds the passage on page 170 of a 200-page document and quotes it, every request inside a 4,096-token window", async () => {
    const { r, h, requests } = await run(
      [BIG],
      (s) => {
        if (s.title !== "Find who repaired it") return "A foghorn warns ships in fog.";
        if (s.round === 0) return { toolCalls: [{ name: "search_documents", arguments: { query: "who repaired the foghorn" } }] };
        return `Marisol Quintero repaired it with a bicycle chain (${/\((harbour-minutes\.pdf, page \d+)\)/.exec(s.results.join("\n"))?.[1]}).`;
      },
      "In the attached minutes, who repaired the foghorn, and how?",
    );
    expect(checkRunEventOrder(h.events)).toEqual([]);
    expect(r.finishReason).toBe("stop");
    // the document is never inlined: its text is 60k+ tokens
    expect(countOpenAITextTokens(BIG.text)).toBeGreaterThan(WINDOW * 4);
    for (const q of requests) expect(q.messages.some((m) => m.content.includes("Page 100."))).toBe(false);
    // the passage reached the researcher's request, as the search tool's result, with its page
    const second = requests.find((q) => q.messages.some((m) => m.role === "tool"))!;
    const tool = second.messages.find((m) => m.role === "tool")!;
    expect(tool.content).toContain(PAGE_170_FACT);
    expect(tool.content).toContain("harbour-minutes.pdf, page 170");
    expect(r.steps![0]).toMatchObject({ agent: "researcher", status: "complete" });
    expect(r.steps![0]!.text).toContain("(harbour-minutes.pdf, page 170)");
    expect(r.text).toContain("Marisol Quintero");
    const done = h.events.find((e) => e.type === "run.tool.completed") as Extract<AgentEvent, { type: "run.tool.completed" }>;
    expect(done).toMatchObject({ tool: "search_documents", ok: true });
    expect(done.result!.length).toBeLessThanOrEqual(2_000);
    // no request ever exceeds the window: its prompt, counted as memory counts, plus its max_tokens
    for (const q of requests) expect(countOpenAIPromptTokens(q.messages) + q.options.maxOutputTokens).toBeLessThanOrEqual(WINDOW);
    // the planner was told of the document and offered the researcher
    const planRequest = requests.find((q) => q.messages.at(-1)!.content.includes(PLAN_MARKER))!.messages.at(-1)!.content;
    expect(planRequest).toContain("harbour-minutes.pdf (200 pages");
    expect(planRequest).toContain("- researcher:");
  });

  it("a small document is read whole instead of searched", async () => {
    const { r, requests } = await run(
      [SMALL],
      (s) => (s.title === "Find who repaired it" ? "The blue kettle costs 34 euros (notes.txt, line 2)." : "Context."),
      "Which kettle in my notes is cheaper?",
    );
    const step = requests.find((q) => q.messages.some((m) => m.role === "user" && m.content.includes("Find who repaired it")))!;
    expect(step.options.tools).toBeUndefined();
    expect(step.messages.at(-1)!.content).toContain("2: The blue kettle costs 34 euros.");
    expect(r.steps![0]).toMatchObject({ agent: "researcher", status: "complete" });
  });

  it("a conversational question about the attached file is planned with a researcher step", async () => {
    const { r, h } = await run([SMALL], (s) => (s.title === "Find who repaired it" ? "34 euros (notes.txt, line 2)." : "ok"), "hi! what's in notes.txt?");
    expect(r.taskType).toBe("analytical");
    const classified = h.events.find((e) => e.type === "run.classified") as Extract<AgentEvent, { type: "run.classified" }>;
    expect(classified.taskType).toBe("analytical");
    expect(r.steps![0]!.agent).toBe("researcher");
  });

  it("without documents a step the planner gave the researcher runs as the analyst, offered no search", async () => {
    const { r, requests } = await run([], () => "From memory.", "Compare TCP and UDP for a multiplayer game and recommend one");
    expect(r.steps!.map((s) => s.agent)).toEqual(["analyst", "analyst"]);
    expect(requests.every((q) => q.options.tools === undefined)).toBe(true);
    expect(requests.find((q) => q.messages.at(-1)!.content.includes(PLAN_MARKER))!.messages.at(-1)!.content).not.toContain("- researcher:");
  });
});
