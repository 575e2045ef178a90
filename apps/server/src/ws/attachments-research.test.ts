import { describe, expect, it } from "vitest";
import { defaultFakeHandler, type FakeHandler, type FakeOpenAIServer, messageText, startFakeOpenAI, withToolUse } from "@alma/testing";
import { PAGE_170_FACT, twoHundredPages } from "../../../../packages/tools/src/test-documents.js";
import { buildTestPdf } from "../../../../packages/tools/src/test-pdf.js";
import { testConfig } from "../testing/test-config.js";
import { useTestResources } from "../testing/use-test-resources.js";

const WINDOW = 4096;
// the fact as the PDF's text layer gives it back (Helvetica's apostrophe is a typographic one)
const PASSAGE = PAGE_170_FACT.slice(PAGE_170_FACT.indexOf("Marisol"));
const QUESTION = "In the attached minutes, who repaired the foghorn, and how?";
let fake: FakeOpenAIServer | null = null;
const resources = useTestResources(async () => {
  await fake?.close();
  fake = null;
});

/** a model that plans a researcher step for the question, uses the tools it is offered, and answers from their results */
const planning: FakeHandler = (request) => {
  const last = request.messages.at(-1);
  if (last && messageText(last).includes("Plan how to answer this request")) {
    return JSON.stringify({
      steps: [
        { id: "s1", title: "Find who repaired it", agent: "researcher", instruction: "Find in the minutes who repaired the foghorn, and how.", dependsOn: [] },
        { id: "s2", title: "Give the context", agent: "analyst", instruction: "Explain why a foghorn matters to a harbour.", dependsOn: [] },
      ],
    });
  }
  return defaultFakeHandler(request);
};

describe("a question about an attached 200-page PDF, through the server to an OpenAI-compatible upstream", () => {
  it("tells the planner of the file and gets the page-170 passage into the researcher's request, no request over the window", async () => {
    fake = await startFakeOpenAI({ handler: withToolUse(planning), contextWindow: WINDOW });
    const config = testConfig({
      ALMA_PROVIDER: "openai",
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: "sk-test",
      ALMA_CONTEXT_WINDOW: String(WINDOW),
      ALMA_PROVIDER_MAX_RETRIES: "0",
    });
    const { address, connect } = await resources.serve({ config });
    const conversation = (await (await fetch(`${address}/api/conversations`, { method: "POST" })).json()) as { id: string };
    const body = new FormData();
    body.append("file", new Blob([Buffer.from(buildTestPdf(twoHundredPages()))], { type: "application/pdf" }), "harbour-minutes.pdf");
    const uploaded = await fetch(`${address}/api/conversations/${conversation.id}/attachments`, { method: "POST", body });
    expect(uploaded.status).toBe(201);
    const { attachment } = (await uploaded.json()) as { attachment: { id: string; pages: number; tokens: number } };
    expect(attachment.pages).toBe(200);
    // far larger than the window: it can only reach the model as passages
    expect(attachment.tokens).toBeGreaterThan(WINDOW * 10);

    const c = await connect();
    c.send({ type: "message.send", clientMessageId: "q", conversationId: conversation.id, content: QUESTION, attachmentIds: [attachment.id] });
    const accepted = await c.waitFor("message.accepted");
    const end = await c.waitForRunEnd(accepted.runId!, 60_000);
    expect(end.type).toBe("run.completed");

    const chats = fake.chatRequests();
    const texts = chats.map((r) => r.chat!.messages.map(messageText).join("\n"));
    // the planner was told of the file by name and size
    expect(texts.some((t) => t.includes("harbour-minutes.pdf (200 pages"))).toBe(true);
    // the researcher searched it, and the search's result carried the passage with its page
    const results = fake.toolResults().map((r) => JSON.stringify(r));
    expect(results.some((r) => r.includes(PASSAGE) && r.includes("harbour-minutes.pdf, page 170"))).toBe(true);
    expect(fake.overWindowRequests()).toEqual([]);
    // never inlined whole: no request carries a page far from the answer
    expect(texts.some((t) => t.includes("Page 100."))).toBe(false);
    const researcher = c.of("run.tool.completed").filter((t) => t.runId === accepted.runId);
    expect(researcher.map((t) => t.tool)).toContain("search_documents");
  }, 90_000);
});

describe("files attached to a conversation reach every answer, through the server to an OpenAI-compatible upstream", () => {
  const SMALL_WINDOW = 2048;
  const CSV = "region,q1,q2,q3\nNorth,120,150,180\nSouth,200,205,210\nEast,90,92,95\n";
  const NOTES = "# Launch\n\nThe launch date is 14 March 2025.\n";

  async function serveWithFiles(files: Array<[string, string, string]>) {
    fake = await startFakeOpenAI({ contextWindow: SMALL_WINDOW });
    const config = testConfig({
      ALMA_PROVIDER: "openai",
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: "sk-test",
      ALMA_CONTEXT_WINDOW: String(SMALL_WINDOW),
      ALMA_PROVIDER_MAX_RETRIES: "0",
    });
    const { address, connect } = await resources.serve({ config });
    const conversation = (await (await fetch(`${address}/api/conversations`, { method: "POST" })).json()) as { id: string };
    const ids: string[] = [];
    for (const [name, content, type] of files) {
      const body = new FormData();
      body.append("file", new Blob([content], { type }), name);
      const uploaded = await fetch(`${address}/api/conversations/${conversation.id}/attachments`, { method: "POST", body });
      expect(uploaded.status).toBe(201);
      ids.push(((await uploaded.json()) as { attachment: { id: string } }).attachment.id);
    }
    return { conversationId: conversation.id, ids, c: await connect(), fake };
  }

  /** the chat requests the upstream received since `from`, each as its messages' text */
  const sentSince = (server: FakeOpenAIServer, from: number) =>
    server
      .chatRequests()
      .slice(from)
      .map((r) => r.chat!.messages.map(messageText).join("\n"));
  /** no request the upstream received exceeds the window: prompt (counted as OpenAI counts) plus max_tokens */
  const withinWindow = (server: FakeOpenAIServer) => {
    expect(server.overWindowRequests()).toEqual([]);
    for (const r of server.chatRequests()) expect(r.promptTokens! + (r.maxTokens ?? 0)).toBeLessThanOrEqual(SMALL_WINDOW);
  };

  it("a conversational question after attaching a small CSV carries the CSV's text, and so does the next message", async () => {
    const { conversationId, ids, c, fake: server } = await serveWithFiles([["q3.csv", CSV, "text/csv"]]);
    c.send({
      type: "message.send",
      clientMessageId: "q1",
      conversationId,
      content: "What drove revenue?",
      options: { taskType: "conversational" },
      attachmentIds: ids,
    });
    const first = await c.waitFor("message.accepted", (f) => f.clientMessageId === "q1");
    expect((await c.waitForRunEnd(first.runId!, 30_000)).type).toBe("run.completed");
    const sent = sentSince(server, 0);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain("q3.csv");
    expect(sent[0]).toContain("2: North,120,150,180");
    expect(sent[0]).toContain("4: East,90,92,95");

    // a later message sends no file; the conversation's file still comes with it
    const before = server.chatRequests().length;
    c.send({ type: "message.send", clientMessageId: "q2", conversationId, content: "And which region was weakest?", options: { taskType: "conversational" } });
    const second = await c.waitFor("message.accepted", (f) => f.clientMessageId === "q2");
    expect((await c.waitForRunEnd(second.runId!, 30_000)).type).toBe("run.completed");
    expect(sentSince(server, before).at(-1)).toContain("4: East,90,92,95");
    withinWindow(server);
  }, 60_000);

  it("an analytical question that names no file still gets both files' text into the answer's request", async () => {
    const {
      conversationId,
      ids,
      c,
      fake: server,
    } = await serveWithFiles([
      ["sales.csv", CSV, "text/csv"],
      ["notes.md", NOTES, "text/markdown"],
    ]);
    c.send({
      type: "message.send",
      clientMessageId: "q",
      conversationId,
      content: "Which region grew the most from q1 to q3, and what is the launch date?",
      attachmentIds: ids,
    });
    const accepted = await c.waitFor("message.accepted");
    expect((await c.waitForRunEnd(accepted.runId!, 30_000)).type).toBe("run.completed");
    // the upstream echoes instead of planning: the answer is written in one pass, from the files
    const answer = sentSince(server, 0).at(-1)!;
    expect(answer).toContain("2: North,120,150,180");
    expect(answer).toContain("The launch date is 14 March 2025.");
    withinWindow(server);
  }, 60_000);
});
