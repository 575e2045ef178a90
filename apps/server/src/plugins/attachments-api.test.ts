import { afterEach, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { ScriptedChatModel } from "@alma/llm";
import { buildTestPdf } from "../../../../packages/tools/src/test-pdf.js";
import { buildApp } from "../build-app.js";
import { testConfig } from "../testing/test-config.js";
import { useTestResources } from "../testing/use-test-resources.js";

const resources = useTestResources();
let app: FastifyInstance | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

const TOKEN = "an-access-token-of-16+";

/** a real server on 127.0.0.1, so uploads go through HTTP and multipart parsing as a browser's or curl's do */
async function serve(env: Record<string, string> = {}) {
  return resources.serve({ config: testConfig(env), model: new ScriptedChatModel() });
}

function form(name: string, content: string | Uint8Array, type = "application/octet-stream", field = "file"): FormData {
  const body = new FormData();
  body.append(field, new Blob([typeof content === "string" ? content : Buffer.from(content)], { type }), name);
  return body;
}

async function createConversation(address: string, body: unknown = {}, headers: Record<string, string> = {}) {
  const res = await fetch(`${address}/api/conversations`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { id: string; title: string } };
}

async function upload(address: string, conversationId: string, body: FormData, headers: Record<string, string> = {}) {
  const res = await fetch(`${address}/api/conversations/${conversationId}/attachments`, { method: "POST", body, headers });
  return {
    status: res.status,
    json: (await res.json()) as { error?: string; message: string; warnings: string[]; attachment: Record<string, unknown> & { id: string } },
  };
}

describe("POST /api/conversations", () => {
  it("creates an empty conversation (201), tells every tab, and lets the first message title it when no title was given", async () => {
    const { app, address, connect } = await serve();
    const tab = await connect();
    const created = await createConversation(address);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ title: "", summary: null, summarizedCount: 0 });
    expect(await tab.waitFor("conversation.updated", (f) => f.conversation.id === created.json.id)).toMatchObject({ conversation: { title: "" } });

    tab.send({
      type: "message.send",
      clientMessageId: "m1",
      conversationId: created.json.id,
      content: "What is in the report?",
      options: { taskType: "conversational" },
    });
    await tab.waitForRunEnd((await tab.waitFor("message.accepted")).runId!);
    expect((await app.alma.store.getConversation(created.json.id))?.title).toBe("What is in the report?");

    const titled = await createConversation(address, { title: "  Quarterly figures " });
    expect(titled.json.title).toBe("Quarterly figures");
    const bad = await createConversation(address, { title: "x".repeat(201) });
    expect(bad).toMatchObject({ status: 400, json: { error: "invalid_body" } });
    expect((await createConversation(address, { name: "x" })).json.message).toContain("(accepted: title)");
    // no body at all is an untitled conversation too
    expect((await fetch(`${address}/api/conversations`, { method: "POST" })).status).toBe(201);
  });

  it("is guarded by the access token like every /api route, uploads included", async () => {
    const { address } = await serve({ ALMA_AUTH_TOKEN: TOKEN });
    expect((await createConversation(address)).status).toBe(401);
    const ok = await createConversation(address, {}, { authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(201);
    expect((await upload(address, ok.json.id, form("a.txt", "hello"))).status).toBe(401);
    expect((await upload(address, ok.json.id, form("a.txt", "hello"), { authorization: `Bearer ${TOKEN}` })).status).toBe(201);
  });
});

describe("POST /api/conversations/:id/attachments", () => {
  it("stores text, Markdown, CSV, JSON and PDF files with their extracted text, unsent, and lists them", async () => {
    const { app, address } = await serve();
    const { json: c } = await createConversation(address);
    const txt = await upload(address, c.id, form("notes.txt", "Line one\r\nLine two", "text/plain"));
    expect(txt.status).toBe(201);
    expect(txt.json).toEqual({
      attachment: {
        id: expect.any(String),
        conversationId: c.id,
        messageId: null,
        name: "notes.txt",
        kind: "text",
        mediaType: "text/plain",
        bytes: 18,
        chars: 17,
        tokens: 5,
        pages: null,
        createdAt: expect.any(Number),
      },
      warnings: [],
    });
    expect((await upload(address, c.id, form("readme.md", "# Title\n\nBody", "text/markdown"))).json.attachment.kind).toBe("markdown");
    expect((await upload(address, c.id, form("data.json", '{"a": [1, 2]}', "application/json"))).json.attachment.kind).toBe("json");
    const csv = await upload(address, c.id, form("rows.csv", 'name,city\nAda,London\n"Bob,Paris\nCy,Rome\n', "text/csv"));
    expect(csv.status).toBe(201);
    expect(csv.json.attachment.kind).toBe("csv");
    // broken quoting is accepted with a warning the person can act on
    expect(csv.json.warnings.join(" ")).toMatch(/quot/i);
    const pdf = await upload(address, c.id, form("report.pdf", buildTestPdf([["Page one says hello."], ["Page two has the total: 42."]]), "application/pdf"));
    expect(pdf.status).toBe(201);
    expect(pdf.json.attachment).toMatchObject({ name: "report.pdf", kind: "pdf", pages: 2 });

    const listed = await fetch(`${address}/api/conversations/${c.id}/attachments`).then((r) => r.json());
    expect(listed.attachments.map((a: { name: string }) => a.name)).toEqual(["notes.txt", "readme.md", "data.json", "rows.csv", "report.pdf"]);
    expect(listed.attachments[0]).not.toHaveProperty("text");
    // the text is in the store, with the PDF's pages, once the files are sent
    await app.alma.store.addUserMessage({
      conversationId: c.id,
      clientMessageId: "m",
      content: "read them",
      attachmentIds: [txt.json.attachment.id, pdf.json.attachment.id],
    });
    const docs = await app.alma.store.listDocuments(c.id);
    expect(docs[0]).toMatchObject({ name: "notes.txt", text: "Line one\nLine two" });
    expect(docs[1]!.text).toContain("the total: 42");
    expect(docs[1]!.pages).toHaveLength(2);
  });

  it("refuses what it cannot read with the status and the words of why: 415 unsupported, 422 unreadable", async () => {
    const { address } = await serve();
    const { json: c } = await createConversation(address);
    const cases: Array<[FormData, number, string, RegExp]> = [
      [
        form("photo.png", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), "image/png"),
        415,
        "unsupported_type",
        /photo\.png cannot be attached: \.png files are not supported/,
      ],
      [form("fake.pdf", "just some text", "application/pdf"), 422, "content_mismatch", /fake\.pdf is not a PDF/],
      [form("secret.pdf", buildTestPdf([["hidden"]], { encrypted: true }), "application/pdf"), 422, "encrypted_pdf", /password-protected/],
      [form("blank.pdf", buildTestPdf([[]]), "application/pdf"), 422, "no_text_layer", /blank\.pdf/],
      [form("broken.json", '{"a": 1,\n "b": }', "application/json"), 422, "invalid_json", /broken\.json is not valid JSON \(line 2/],
      [form("empty.txt", "", "text/plain"), 422, "empty", /empty\.txt is empty/],
    ];
    for (const [body, status, error, message] of cases) {
      const res = await upload(address, c.id, body);
      expect({ status: res.status, error: res.json.error }).toEqual({ status, error });
      expect(res.json.message).toMatch(message);
    }
    const notMultipart = await fetch(`${address}/api/conversations/${c.id}/attachments`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "x",
    });
    expect(notMultipart.status).toBe(415);
    expect((await notMultipart.json()).message).toContain("multipart/form-data");
    expect((await upload(address, c.id, form("a.txt", "x", "text/plain", "document"))).json.message).toContain('send it in the field "file"');
    const two = form("a.txt", "one", "text/plain");
    two.append("file", new Blob(["two"]), "b.txt");
    expect((await upload(address, c.id, two)).json).toMatchObject({ error: "one_file_per_request" });
    expect((await upload(address, "no-such-conversation", form("a.txt", "x"))).status).toBe(404);
    expect((await fetch(`${address}/api/conversations/${c.id}/attachments`).then((r) => r.json())).attachments).toEqual([]);
  });

  it("enforces the size, count and total limits (413) with the file's size and the limit in the message", async () => {
    const { address } = await serve({
      ALMA_ATTACHMENT_MAX_BYTES: String(10 * 1024),
      ALMA_ATTACHMENTS_PER_CONVERSATION: "3",
      ALMA_ATTACHMENTS_MAX_TOTAL_BYTES: String(16 * 1024),
    });
    const { json: c } = await createConversation(address);
    const big = await upload(address, c.id, form("big.txt", "x".repeat(12 * 1024), "text/plain"));
    expect(big).toEqual({ status: 413, json: { error: "too_large", message: "big.txt is 12 KB; a file may be at most 10 KB." } });
    // larger than the server's bodyLimit (1 MB by default) too: still counted, still the same refusal
    const huge = await upload(address, c.id, form("huge.txt", "x".repeat(3 * 1024 * 1024), "text/plain"));
    expect(huge.json.message).toBe("huge.txt is 3 MB; a file may be at most 10 KB.");

    expect((await upload(address, c.id, form("a.txt", "a".repeat(8 * 1024), "text/plain"))).status).toBe(201);
    const total = await upload(address, c.id, form("b.txt", "b".repeat(9 * 1024), "text/plain"));
    expect(total).toMatchObject({ status: 413, json: { error: "too_large" } });
    expect(total.json.message).toMatch(/with b\.txt the attachments would total 17 KB; a conversation may hold at most 16 KB/);
    expect((await upload(address, c.id, form("c.txt", "c", "text/plain"))).status).toBe(201);
    expect((await upload(address, c.id, form("d.txt", "d", "text/plain"))).status).toBe(201);
    const many = await upload(address, c.id, form("e.txt", "e", "text/plain"));
    expect(many).toMatchObject({ status: 413, json: { error: "too_many" } });
    expect(many.json.message).toMatch(/already has 3 attachments, the most it may have; remove one to attach e\.txt/);
  });
});

describe("DELETE /api/conversations/:id/attachments/:attachmentId", () => {
  it("removes a file not sent yet (204), says 404 for one it does not have and 409 for one a message was sent with", async () => {
    app = await buildApp({ config: testConfig(), model: new ScriptedChatModel() });
    const { store } = app.alma;
    const c = await store.createConversation("");
    const file = { conversationId: c.id, kind: "text" as const, mediaType: "text/plain", bytes: 1, text: "x", pages: null, tokens: 1 };
    const draft = await store.addAttachment({ ...file, name: "draft.txt" });
    const sent = await store.addAttachment({ ...file, name: "sent.txt" });
    await store.addUserMessage({ conversationId: c.id, clientMessageId: "m", content: "hi", attachmentIds: [sent.id] });

    const url = (id: string) => `/api/conversations/${c.id}/attachments/${id}`;
    expect((await app.inject({ method: "DELETE", url: url(draft.id) })).statusCode).toBe(204);
    expect((await app.inject({ method: "DELETE", url: url(draft.id) })).statusCode).toBe(404);
    const refused = await app.inject({ method: "DELETE", url: url(sent.id) });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toContain("sent.txt was sent with a message");
    expect((await app.inject({ method: "DELETE", url: `/api/conversations/nope/attachments/${sent.id}` })).statusCode).toBe(404);
    expect((await store.listAttachments(c.id)).map((a) => a.name)).toEqual(["sent.txt"]);
  });
});
