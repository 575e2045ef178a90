import { countOpenAITextTokens, OpenAIChatModel } from "@alma/llm";
import { fakeOpenAIServers, messageText, withToolUse, type FakeChatRequest, type FakeReply } from "@alma/testing";
import { afterAll, describe, expect, it } from "vitest";
import { asPagedText, PAGE_170_FACT, twoHundredPages } from "../../tools/src/test-documents.js";
import type { RunDocument } from "./agent-run.js";
import { ManagerAgent } from "./manager-agent.js";
import { PLAN_MARKER } from "./prompts/analytical-plan-prompt.js";
import { ALL_SUPPORTED, REVIEW_MARKER } from "./prompts/analytical-review-prompt.js";
import { SYNTHESIS_MARKER } from "./prompts/analytical-synthesis-prompt.js";
import type { AgentEvent } from "./run-scope.js";
import { checkRunEventOrder } from "./testing/check-run-event-order.js";
import { knownModelSpeed } from "./testing/fast-model-speed.js";
import { harness } from "./testing/run-harness.js";

const LOAN = "Calculate the monthly payment on a 300,000 loan at 6% over 30 years";
const servers = fakeOpenAIServers();
afterAll(() => servers.closeAll());

/** The planner, the synthesis and the review of a cooperative model; steps without tools answer briefly. */
function planner(plan: object) {
  return (req: FakeChatRequest): FakeReply => {
    const users = req.messages.filter((m) => m.role === "user").map(messageText);
    const last = users.at(-1) ?? "";
    if (last.includes(PLAN_MARKER)) return { text: JSON.stringify(plan) };
    if (last.includes(REVIEW_MARKER)) return { text: ALL_SUPPORTED };
    if (last.includes(SYNTHESIS_MARKER)) {
      const results = last.split("\n## Step ").slice(1);
      return { text: `In short: ${results.map((r) => r.split("\n").slice(1).join(" ").trim()).join(" ")}` };
    }
    if (last.includes("Carry out step")) return { text: "The payment stays the same every month." };
    return { text: '{"type":"analytical","confidence":0.9}' };
  };
}

const LOAN_PLAN = {
  steps: [
    { id: "s1", title: "Compute the payment", agent: "calculator", instruction: "Compute the monthly payment of the loan.", dependsOn: [] },
    { id: "s2", title: "Explain the payment", agent: "analyst", instruction: "Explain what an annuity payment is.", dependsOn: [] },
  ],
};

async function ask(model: OpenAIChatModel, userText: string, documents?: RunDocument[]) {
  const agent = new ManagerAgent({ model, config: { speed: knownModelSpeed() } });
  const h = harness({ userText });
  if (documents) h.input.documents = documents;
  const r = await agent.run(h.input);
  return { r, h };
}

const toolEvents = (events: AgentEvent[]) => events.filter((e) => e.type === "run.tool.started" || e.type === "run.tool.completed");

describe("ManagerAgent's tools against the fake OpenAI server", () => {
  it("the loan question runs a calculator step through streamed tool calls, and the sandbox's 1798.65 is in the answer", async () => {
    const server = await servers.start({ handler: withToolUse(planner(LOAN_PLAN)) });
    const model = new OpenAIChatModel({ baseURL: server.url, apiKey: "test", model: "gpt-4o-mini" });
    const { r, h } = await ask(model, LOAN);
    expect(checkRunEventOrder(h.events)).toEqual([]);
    expect(r.error).toBeNull();
    expect(r.steps!.map((s) => [s.agent, s.status])).toEqual([
      ["calculator", "complete"],
      ["analyst", "complete"],
      ["reviewer", "complete"],
    ]);
    expect(toolEvents(h.events)).toMatchObject([
      { type: "run.tool.started", stepId: "s1", agent: "calculator", tool: "run_javascript" },
      { type: "run.tool.completed", stepId: "s1", tool: "run_javascript", ok: true, result: "Result: 1798.65" },
    ]);
    // the upstream was offered the tool, and got its result back as a tool message
    const offered = server.requests.filter((q) => q.chat?.tools.some((t) => t.name === "run_javascript"));
    expect(offered.length).toBeGreaterThan(0);
    expect(server.toolResults().map((t) => t.content)).toContain("Result: 1798.65");
    expect(r.steps![0]!.text).toContain("1798.65");
    expect(r.text).toContain("1798.65");
    await model.close();
  });

  it("a server that refuses tools gets the same call through the JSON convention", async () => {
    const server = await servers.start({ handler: withToolUse(planner(LOAN_PLAN)), refuseTools: true });
    const model = new OpenAIChatModel({ baseURL: server.url, apiKey: "test", model: "gpt-4o-mini" });
    const { r, h } = await ask(model, LOAN);
    expect(model.supportsTools()).toBe(false);
    expect(toolEvents(h.events)).toMatchObject([{ tool: "run_javascript" }, { tool: "run_javascript", ok: true, result: "Result: 1798.65" }]);
    // the call never reached the user as JSON
    expect(r.steps![0]!.text).not.toContain('"tool"');
    expect(r.text).toContain("1798.65");
    await model.close();
  });

  it("a question about page 170 of a 200-page document: the passage reaches the researcher's request, and no request exceeds the window", async () => {
    const window = 4096;
    const server = await servers.start({
      contextWindow: window,
      handler: withToolUse(
        planner({
          steps: [
            { id: "s1", title: "Find the repair", agent: "researcher", instruction: "Find who repaired the foghorn with a bicycle chain.", dependsOn: [] },
            { id: "s2", title: "Explain foghorns", agent: "analyst", instruction: "Explain what a foghorn does.", dependsOn: [] },
          ],
        }),
      ),
    });
    const model = new OpenAIChatModel({ baseURL: server.url, apiKey: "test", model: "gpt-4o-mini", contextWindow: window });
    const paged = asPagedText(twoHundredPages());
    const doc: RunDocument = { id: "d1", name: "harbour.pdf", kind: "pdf", text: paged.text, pages: paged.pages, messageId: "u1" };
    expect(countOpenAITextTokens(doc.text)).toBeGreaterThan(window * 4);
    const { r } = await ask(model, "Who repaired the foghorn with a bicycle chain, according to the attached minutes?", [doc]);
    expect(r.error).toBeNull();
    expect(r.steps![0]).toMatchObject({ agent: "researcher", status: "complete" });
    // asserted on the upstream's side: the quote came back to the model in a tool message
    const quoted = server.toolResults().find((t) => t.content.includes(PAGE_170_FACT));
    expect(quoted?.content).toContain("harbour.pdf, page 170");
    expect(r.steps![0]!.text).toContain("page 170");
    for (const q of server.requests.filter((x) => x.chat)) {
      expect(q.status).toBe(200);
      expect(q.promptTokens! + q.maxTokens!).toBeLessThanOrEqual(window);
    }
    await model.close();
  });
});
