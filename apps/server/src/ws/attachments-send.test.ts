import { afterEach, describe, expect, it } from "vitest";
import type { AgentRunInput } from "@alma/agent";
import { ScriptedChatModel } from "@alma/llm";
import { SqliteConversationStore } from "@alma/store";
import { buildTestPdf } from "../../../../packages/tools/src/test-pdf.js";
import { createRunAgent } from "../runs/create-run-agent.js";
import { testConfig } from "../testing/test-config.js";
import { useTestResources } from "../testing/use-test-resources.js";

const stores: SqliteConversationStore[] = [];
const resources = useTestResources();
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

const convo = { taskType: "conversational" } as const;

/**
 * A real server whose agent is the production Manager Agent, watched on its way in: each run's input is recorded
 * before the real agent runs it, so a test sees the documents the server gave the run.
 */
async function serve() {
  const config = testConfig();
  const model = new ScriptedChatModel({ reply: "Noted.", tokensPerSecond: 500 });
  const store = new SqliteConversationStore({ path: ":memory:" });
  stores.push(store);
  const real = await createRunAgent(model, config, store, console);
  const inputs: AgentRunInput[] = [];
  const agent = {
    run: (input: AgentRunInput) => {
      inputs.push(input);
      return real.run(input);
    },
    close: () => real.close(),
  };
  const served = await resources.serve({ config, model, store, agent });
  const upload = async (conversationId: string, name: string, content: string | Uint8Array, type: string) => {
    const body = new FormData();
    body.append("file", new Blob([typeof content === "string" ? content : Buffer.from(content)], { type }), name);
    const res = await fetch(`${served.address}/api/conversations/${conversationId}/attachments`, { method: "POST", body });
    expect(res.status).toBe(201);
    return ((await res.json()) as { attachment: { id: string } }).attachment.id;
  };
  const createConversation = async () => ((await (await fetch(`${served.address}/api/conversations`, { method: "POST" })).json()) as { id: string }).id;
  return { ...served, store, inputs, upload, createConversation };
}

describe("message.send with attachmentIds", () => {
  it("binds the files to the message: accepted, told to the other tabs, in the history, and read by every run", async () => {
    const { connect, store, inputs, upload, createConversation } = await serve();
    const conversationId = await createConversation();
    const notes = await upload(conversationId, "notes.md", "# Budget\n\nThe travel budget is 4,200 euros.", "text/markdown");
    const report = await upload(conversationId, "report.pdf", buildTestPdf([["Intro page."], ["Revenue grew 12 percent."]]), "application/pdf");
    const a = await connect();
    const b = await connect();
    b.send({ type: "conversation.history", requestId: "h0", conversationId });
    await b.waitFor("conversation.history.result");

    a.send({ type: "message.send", clientMessageId: "m1", conversationId, content: "What do the files say?", options: convo, attachmentIds: [notes, report] });
    const accepted = await a.waitFor("message.accepted", (f) => f.clientMessageId === "m1");
    await a.waitForRunEnd(accepted.runId!);
    const added = await b.waitFor("message.added");
    expect(added.message.attachments?.map((f) => [f.name, f.kind, f.pages, f.messageId])).toEqual([
      ["notes.md", "markdown", null, accepted.userMessageId],
      ["report.pdf", "pdf", 2, accepted.userMessageId],
    ]);

    // the run got the documents' text, the PDF with its pages
    const first = inputs.at(-1)!;
    expect(first.documents?.map((d) => [d.id, d.name, d.messageId])).toEqual([
      [notes, "notes.md", accepted.userMessageId],
      [report, "report.pdf", accepted.userMessageId],
    ]);
    expect(first.documents?.[0]?.text).toContain("4,200 euros");
    const pdf = first.documents![1]!;
    expect(pdf.pages).toHaveLength(2);
    expect(pdf.text.slice(pdf.pages![1]!.start, pdf.pages![1]!.end)).toContain("Revenue grew 12 percent.");

    a.send({ type: "conversation.history", requestId: "h1", conversationId });
    const history = await a.waitFor("conversation.history.result", (f) => f.requestId === "h1");
    expect(history.messages.map((m) => m.attachments?.map((f) => f.name) ?? [])).toEqual([["notes.md", "report.pdf"], []]);

    // a later message without files, a regenerate and an edit: every run still reads the conversation's files
    a.send({ type: "message.send", clientMessageId: "m2", conversationId, content: "And in short?", options: convo });
    await a.waitForRunEnd((await a.waitFor("message.accepted", (f) => f.clientMessageId === "m2")).runId!);
    expect(inputs.at(-1)!.documents?.map((d) => d.name)).toEqual(["notes.md", "report.pdf"]);
    const runsBefore = inputs.length;
    a.send({ type: "run.regenerate", conversationId, options: convo });
    await a.waitFor("run.completed", (f) => f.conversationId === conversationId, 10_000, a.frames.length);
    expect(inputs.length).toBe(runsBefore + 1);
    expect(inputs.at(-1)!.documents?.map((d) => d.name)).toEqual(["notes.md", "report.pdf"]);

    a.send({ type: "message.edit", clientMessageId: "m3", conversationId, messageId: accepted.userMessageId, content: "Summarize the files", options: convo });
    const edited = await a.waitFor("message.accepted", (f) => f.clientMessageId === "m3");
    await a.waitForRunEnd(edited.runId!);
    expect(inputs.at(-1)!.documents?.map((d) => [d.name, d.messageId])).toEqual([
      ["notes.md", edited.userMessageId],
      ["report.pdf", edited.userMessageId],
    ]);
    expect((await store.listMessages(conversationId)).map((m) => [m.role, m.attachments?.length ?? 0])).toEqual([
      ["user", 2],
      ["assistant", 0],
    ]);
  });

  it("refuses an unknown, foreign or already-sent file with an error frame naming it, and stores nothing", async () => {
    const { connect, store, upload, createConversation } = await serve();
    const mine = await createConversation();
    const other = await createConversation();
    const draft = await upload(mine, "draft.txt", "draft", "text/plain");
    const theirs = await upload(other, "theirs.txt", "theirs", "text/plain");
    const sent = await upload(mine, "sent.txt", "sent", "text/plain");
    const c = await connect();
    c.send({ type: "message.send", clientMessageId: "ok", conversationId: mine, content: "first", options: convo, attachmentIds: [sent] });
    await c.waitForRunEnd((await c.waitFor("message.accepted")).runId!);

    const cases: Array<[string, string[], string, RegExp]> = [
      ["e1", [draft, "no-such-file"], "not_found", /no-such-file is not one of this conversation's files.*The message was not sent\./],
      ["e2", [draft, theirs], "not_found", /is not one of this conversation's files/],
      ["e3", [draft, sent], "conflict", /sent\.txt was already sent with another message/],
    ];
    for (const [clientMessageId, attachmentIds, code, message] of cases) {
      c.send({ type: "message.send", clientMessageId, conversationId: mine, content: "with files", options: convo, attachmentIds });
      const error = await c.waitFor("error", (f) => f.clientMessageId === clientMessageId);
      expect(error).toMatchObject({ code, frameType: "message.send", retryable: false });
      expect(error.message).toMatch(message);
    }
    // a new conversation cannot carry files uploaded elsewhere
    c.send({ type: "message.send", clientMessageId: "e4", content: "new", options: convo, attachmentIds: [draft] });
    expect((await c.waitFor("error", (f) => f.clientMessageId === "e4")).message).toContain("POST /api/conversations");
    c.send({
      type: "message.send",
      clientMessageId: "e5",
      conversationId: mine,
      content: "x",
      options: convo,
      attachmentIds: Array.from({ length: 11 }, (_, i) => `f${i}`),
    });
    expect((await c.waitFor("error", (f) => f.clientMessageId === "e5")).message).toContain("at most 10 attachments");

    expect((await store.listMessages(mine)).map((m) => m.clientMessageId)).toEqual(["ok", null]);
    expect((await store.getAttachment(mine, draft))?.messageId).toBeNull();
    expect((await store.listConversations()).map((x) => x.id).sort()).toEqual([mine, other].sort());
    // the same message id goes through once its files are right
    c.send({ type: "message.send", clientMessageId: "e1", conversationId: mine, content: "with files", options: convo, attachmentIds: [draft] });
    const accepted = await c.waitFor("message.accepted", (f) => f.clientMessageId === "e1");
    expect((await store.getMessage(accepted.userMessageId))?.attachments?.map((f) => f.name)).toEqual(["draft.txt"]);
  });

  it("deleting the conversation takes its files: gone from the API while restorable, back after a restore", async () => {
    const { connect, address, upload, createConversation } = await serve();
    const conversationId = await createConversation();
    await upload(conversationId, "keep.csv", "a,b\n1,2\n", "text/csv");
    const c = await connect();
    c.send({ type: "conversation.delete", requestId: "d", conversationId });
    await c.waitFor("conversation.deleted");
    expect((await fetch(`${address}/api/conversations/${conversationId}/attachments`)).status).toBe(404);
    c.send({ type: "conversation.restore", requestId: "r", conversationId });
    await c.waitFor("conversation.updated", (f) => f.requestId === "r");
    const listed = (await (await fetch(`${address}/api/conversations/${conversationId}/attachments`)).json()) as { attachments: { name: string }[] };
    expect(listed.attachments.map((a) => a.name)).toEqual(["keep.csv"]);
  });
});
