import { countOpenAIPromptTokens, ScriptedChatModel, type ChatMessage, type GenerateOptions } from "@alma/llm";
import type { TaskType } from "@alma/protocol";
import { describe, expect, it } from "vitest";
import type { RunDocument } from "./agent-run.js";
import { ManagerAgent } from "./manager-agent.js";
import { openAIMeasure } from "./testing/openai-measure.js";
import { PLAN_MARKER } from "./prompts/analytical-plan-prompt.js";
import { ATTACHED_DOCUMENTS_MARKER } from "./prompts/attached-documents-prompt.js";
import { SYNTHESIS_MARKER } from "./prompts/analytical-synthesis-prompt.js";
import { checkRunEventOrder } from "./testing/check-run-event-order.js";
import { knownModelSpeed } from "./testing/fast-model-speed.js";
import { harness, progressEvents } from "./testing/run-harness.js";
import { scriptedAnalytical } from "./testing/scripted-analytical.js";
import { asPagedText, PAGE_170_FACT, twoHundredPages } from "../../tools/src/test-documents.js";

const WINDOW = 4096;

const paged = asPagedText(twoHundredPages());
const BIG: RunDocument = { id: "d1", name: "harbour-minutes.pdf", kind: "pdf", text: paged.text, pages: paged.pages, messageId: "u1" };
const SMALL: RunDocument = {
  id: "d2",
  name: "q3.csv",
  kind: "csv",
  text: "region,q1,q3\nNorth,120,180\nSouth,200,210\nEast,90,95",
  messageId: "u1",
};
/** how the small CSV reads inlined whole: numbered lines */
const SMALL_INLINED = "2: North,120,180";

type Request = { messages: ChatMessage[]; options: GenerateOptions };

async function run(o: {
  documents: RunDocument[];
  userText: string;
  taskType: TaskType;
  window?: number;
  planner?: string;
  history?: ChatMessage[];
  continueFrom?: string;
}) {
  const window = o.window ?? WINDOW;
  const requests: Request[] = [];
  const model = new ScriptedChatModel({
    contextWindow: window,
    reply: (messages, options) => {
      requests.push({ messages, options });
      const last = messages.at(-1)!.content;
      if (last.includes(PLAN_MARKER)) return o.planner ?? "I would rather just answer.";
      return "Here is the answer.";
    },
  });
  const agent = new ManagerAgent({ model, config: { speed: knownModelSpeed(), review: "off" } });
  const h = harness({
    userText: o.userText,
    options: { taskType: o.taskType },
    ...(o.history ? { history: o.history } : {}),
    ...(o.continueFrom !== undefined ? { continueFrom: o.continueFrom } : {}),
  });
  h.input.documents = o.documents;
  h.input.measure = openAIMeasure(window);
  const r = await agent.run(h.input);
  return { r, h, requests };
}

const text = (q: Request) => q.messages.map((m) => m.content).join("\n");
/** no request exceeds the window: its prompt, counted as memory counts, plus its max_tokens */
const fitsWindow = (requests: Request[], window = WINDOW) => {
  for (const q of requests) expect(countOpenAIPromptTokens(q.messages) + q.options.maxOutputTokens).toBeLessThanOrEqual(window);
};

describe("ManagerAgent: a one-pass answer reads the attached documents", () => {
  for (const taskType of ["conversational", "creative"] as const) {
    it(`${taskType}: a small document comes whole, with numbered lines, in the request's system prompt`, async () => {
      const { r, h, requests } = await run({ documents: [SMALL], userText: "thanks! so what drove revenue?", taskType });
      expect(r.taskType).toBe(taskType);
      expect(r.finishReason).toBe("stop");
      expect(r.steps).toBeNull();
      expect(requests).toHaveLength(1);
      const system = requests[0]!.messages[0]!;
      expect(system.role).toBe("system");
      expect(system.content).toContain(`${ATTACHED_DOCUMENTS_MARKER} q3.csv (about`);
      expect(system.content).toContain(`The document q3.csv, whole:`);
      expect(system.content).toContain(SMALL_INLINED);
      expect(system.content).toContain("4: East,90,95");
      fitsWindow(requests);
      expect(progressEvents(h.events).map((p) => p.label)).toContain("Writing the answer");
      expect(checkRunEventOrder(h.events)).toEqual([]);
    });

    it(`${taskType}: a 200-page document gives the passage on page 170 that answers the question, with its page`, async () => {
      const { r, requests } = await run({ documents: [BIG], userText: "Who repaired the foghorn, and with what?", taskType });
      expect(r.taskType).toBe(taskType);
      expect(requests).toHaveLength(1);
      const sent = text(requests[0]!);
      expect(sent).toContain(PAGE_170_FACT);
      expect(sent).toContain("(harbour-minutes.pdf, page 170)");
      // passages, never the document whole
      expect(sent).not.toContain("Page 100.");
      fitsWindow(requests);
    });
  }

  it("a small and a large document together: the small one whole, passages of the large one", async () => {
    const { requests } = await run({ documents: [BIG, SMALL], userText: "Who repaired the foghorn? And which region grew most?", taskType: "conversational" });
    const sent = text(requests[0]!);
    expect(sent).toContain(SMALL_INLINED);
    expect(sent).toContain(PAGE_170_FACT);
    expect(sent).not.toContain("Page 100.");
    fitsWindow(requests);
  });

  it("the answer written when the planner wrote no plan reads the documents too", async () => {
    const { r, h, requests } = await run({
      documents: [SMALL, BIG],
      userText: "Explain who repaired the foghorn and which region grew most",
      taskType: "analytical",
    });
    expect(r.steps).toBeNull();
    expect(progressEvents(h.events).some((p) => p.label === "Answering directly: the model did not write a plan")).toBe(true);
    const planner = requests.find((q) => q.messages.at(-1)!.content.includes(PLAN_MARKER))!;
    const answer = requests.at(-1)!;
    expect(answer).not.toBe(planner);
    const sent = text(answer);
    expect(sent).toContain(SMALL_INLINED);
    expect(sent).toContain(PAGE_170_FACT);
    expect(sent).toContain("(harbour-minutes.pdf, page 170)");
    fitsWindow(requests);
  });

  it("a continuation reads the documents too", async () => {
    const { requests } = await run({ documents: [SMALL], userText: "What drove revenue?", taskType: "conversational", continueFrom: "North grew" });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.messages.at(-2)).toMatchObject({ role: "assistant", content: "North grew" });
    expect(requests[0]!.messages[0]!.content).toContain(SMALL_INLINED);
  });

  it("says so when none of the documents' text fits what the window leaves", async () => {
    const window = 600;
    // a conversation that already fills the window: nothing of the file can come
    const history: ChatMessage[] = [
      { role: "user", content: "Tell me about the harbour. ".repeat(40) },
      { role: "assistant", content: "The harbour is old. ".repeat(20) },
    ];
    const { r, h, requests } = await run({ documents: [SMALL], userText: "What drove revenue?", taskType: "conversational", window, history });
    expect(r.finishReason).not.toBe("error");
    expect(requests.length).toBeGreaterThan(0);
    for (const q of requests) expect(text(q)).not.toContain("North,120,180");
    const generating = progressEvents(h.events).filter((p) => p.phase === "generating");
    expect(generating.map((p) => p.label)).toEqual(["Writing the answer without the attached documents: none of their text fits the model's window"]);
    fitsWindow(requests, window);
  });
});

describe("ManagerAgent: a planned answer reads the attached documents", () => {
  const analystsOnly = {
    steps: [
      { id: "s1", title: "Compare the regions", agent: "analyst", instruction: "Compare how the regions grew from q1 to q3.", dependsOn: [] },
      { id: "s2", title: "Explain the drivers", agent: "analyst", instruction: "Explain what usually drives regional growth.", dependsOn: [] },
    ],
  };

  async function planned(plan: { steps: Array<Record<string, unknown>> }, userText: string) {
    const requests: Request[] = [];
    const model = new ScriptedChatModel({
      contextWindow: WINDOW,
      reply: scriptedAnalytical({ plan, step: (s) => `Result of ${s.title}.`, onRequest: (messages, options) => requests.push({ messages, options }) }),
    });
    const agent = new ManagerAgent({ model, config: { speed: knownModelSpeed(), review: "off" } });
    const h = harness({ userText, options: { taskType: "analytical" } });
    h.input.documents = [SMALL];
    h.input.measure = openAIMeasure(WINDOW);
    const r = await agent.run(h.input);
    const synthesis = requests.find((q) => q.messages.at(-1)!.content.includes(SYNTHESIS_MARKER))!;
    return { r, requests, synthesis };
  }

  it("when no step runs as the researcher, the synthesis reads the documents itself", async () => {
    const { r, requests, synthesis } = await planned(analystsOnly, "Which region grew the most from q1 to q3, and why?");
    expect(r.steps!.map((s) => s.agent)).toEqual(["analyst", "analyst"]);
    expect(synthesis.messages[0]!.content).toContain(SMALL_INLINED);
    expect(synthesis.messages.at(-1)!.content).toContain("Result of Compare the regions.");
    fitsWindow(requests);
  });

  it("when a researcher step read them, the synthesis works from its result alone", async () => {
    const withResearcher = { steps: [{ ...analystsOnly.steps[0]!, agent: "researcher" }, analystsOnly.steps[1]!] };
    const { r, synthesis } = await planned(withResearcher, "Which region grew the most from q1 to q3, and why?");
    expect(r.steps!.map((s) => s.agent)).toEqual(["researcher", "analyst"]);
    expect(synthesis.messages[0]!.content).not.toContain(ATTACHED_DOCUMENTS_MARKER);
  });
});
