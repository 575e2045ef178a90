import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestPdf } from "../../../packages/tools/src/test-pdf.js";
import { runCli } from "./run-cli.js";
import { conversationOf, startAlmaServer, TOKENS, type TestAlmaServer } from "./testing/start-alma-server.js";

// `alma ask --attach` end to end: the real server, uploads over HTTP, the message over the WebSocket.
const AUTH_TOKEN = "a-token-of-16-chars-or-more";
let alma: TestAlmaServer;
let small: TestAlmaServer;
let tmp: string;

beforeAll(async () => {
  [alma, small] = await Promise.all([startAlmaServer({ ALMA_AUTH_TOKEN: AUTH_TOKEN }), startAlmaServer({ ALMA_ATTACHMENT_MAX_BYTES: String(10 * 1024) })]);
  tmp = await mkdtemp(join(tmpdir(), "alma-attach-"));
  await writeFile(join(tmp, "notes.md"), "# Trip\n\nThe travel budget is 4,200 euros.\n");
  await writeFile(join(tmp, "rows.csv"), 'name,city\nAda,London\n"Bob,Paris\n');
  await writeFile(join(tmp, "report.pdf"), buildTestPdf([["Intro."], ["Revenue grew 12 percent."]]));
  await writeFile(join(tmp, "big.txt"), "x".repeat(12 * 1024));
  await writeFile(join(tmp, "photo.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
  await mkdir(join(tmp, "folder"));
});

afterAll(async () => {
  await alma?.close();
  await small?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function cli(argv: string[], server: TestAlmaServer = alma) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli([...argv, "--server", server.url], {
    stdin: Readable.from([""]),
    stdout: { write: (c: string) => out.push(c), isTTY: false },
    stderr: { write: (c: string) => err.push(c), isTTY: true },
    env: server === alma ? { ALMA_AUTH_TOKEN: AUTH_TOKEN } : {},
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

async function api<T>(server: TestAlmaServer, path: string): Promise<T> {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${AUTH_TOKEN}` } });
  return (await res.json()) as T;
}

type Listed = { conversations: Array<{ id: string; title: string }> };
type Files = { attachments: Array<{ name: string; messageId: string | null }> };

describe("alma ask --attach", () => {
  it("starts a conversation, uploads every file, sends the question with them, and history shows them", async () => {
    const asked = await cli([
      "ask",
      "--attach",
      join(tmp, "notes.md"),
      "--attach",
      join(tmp, "rows.csv"),
      "--attach",
      join(tmp, "report.pdf"),
      "What do these say?",
      "--type",
      "conversational",
    ]);
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.stdout).toBe(`${TOKENS.join("")}\n`);
    // the CSV's broken quoting is accepted with the server's warning
    expect(asked.stderr).toMatch(/^alma: rows\.csv: .*quot/im);
    const id = conversationOf(asked.stderr);

    const one = await api<{
      conversation: { title: string };
      messages: Array<{ role: string; attachments?: Array<{ name: string; kind: string; pages: number | null }> }>;
    }>(alma, `/api/conversations/${id}`);
    expect(one.conversation.title).toBe("What do these say?");
    expect(one.messages[0]!.attachments?.map((a) => [a.name, a.kind, a.pages])).toEqual([
      ["notes.md", "markdown", null],
      ["rows.csv", "csv", null],
      ["report.pdf", "pdf", 2],
    ]);
    const history = await cli(["history", id]);
    expect(history.stdout).toContain("What do these say?\n📎 notes.md (markdown)\n📎 rows.csv (csv)\n📎 report.pdf (pdf, 2 pages)\n");

    // --conversation reuses it: the new file goes with the next question
    const next = await cli(["ask", "--conversation", id, "--attach", join(tmp, "notes.md"), "And this one?", "--type", "conversational", "--no-cache"]);
    expect(next.code, next.stderr).toBe(0);
    expect(conversationOf(next.stderr)).toBe(id);
    const files = await api<Files>(alma, `/api/conversations/${id}/attachments`);
    expect(files.attachments.map((a) => a.name)).toEqual(["notes.md", "rows.csv", "report.pdf", "notes.md"]);
    expect(files.attachments.every((a) => a.messageId !== null)).toBe(true);
  });

  it("a missing file, or a folder, stops the ask before the server is asked anything", async () => {
    const before = alma.upstream.requests.length;
    const conversations = (await api<Listed>(alma, "/api/conversations")).conversations.length;
    const missing = await cli(["ask", "--attach", join(tmp, "nope.txt"), "question"]);
    expect(missing).toEqual({ code: 2, stdout: "", stderr: `alma: cannot attach ${join(tmp, "nope.txt")}: there is no such file. Nothing was sent.\n` });
    const folder = await cli(["ask", "--attach", join(tmp, "folder"), "question"]);
    expect(folder.stderr).toBe(`alma: cannot attach ${join(tmp, "folder")}: it is not a file. Nothing was sent.\n`);
    expect((await api<Listed>(alma, "/api/conversations")).conversations.length).toBe(conversations);
    expect(alma.upstream.requests.length).toBe(before);
  });

  it("a file the server refuses (too large, unsupported) is reported in its words, and nothing stays behind", async () => {
    const list = async () => (await api<Listed>(small, "/api/conversations")).conversations;
    const before = small.upstream.requests.length;
    const big = await cli(["ask", "--attach", join(tmp, "notes.md"), "--attach", join(tmp, "big.txt"), "question"], small);
    expect(big.code).toBe(1);
    expect(big.stdout).toBe("");
    expect(big.stderr).toBe("alma: big.txt is 12 KB; a file may be at most 10 KB. Nothing was sent.\n");
    // the conversation made for the files is deleted again
    expect(await list()).toEqual([]);

    const png = await cli(["ask", "--attach", join(tmp, "photo.png"), "question"], small);
    expect(png.code).toBe(1);
    expect(png.stderr).toMatch(/^alma: photo\.png cannot be attached: \.png files are not supported.*Nothing was sent\.\n$/);

    // into an existing conversation: the files uploaded before the refused one are removed
    const first = await cli(["ask", "hello", "--type", "conversational"], small);
    const id = conversationOf(first.stderr);
    const refused = await cli(["ask", "--conversation", id, "--attach", join(tmp, "notes.md"), "--attach", join(tmp, "big.txt"), "question"], small);
    expect(refused.code).toBe(1);
    expect((await api<Files>(small, `/api/conversations/${id}/attachments`)).attachments).toEqual([]);
    expect((await api<{ messages: unknown[] }>(small, `/api/conversations/${id}`)).messages).toHaveLength(2);
    // only the plain "hello" reached the model
    expect(small.upstream.requests.length).toBeGreaterThan(before);
    const unknown = await cli(["ask", "--conversation", "no-such-conversation", "--attach", join(tmp, "notes.md"), "q"], small);
    expect(unknown.stderr).toMatch(/^alma: cannot attach notes\.md: No such conversation .*Run `alma list`.*Nothing was sent\.\n$/);
  });

  it("without the server's token nothing is uploaded or created, and the message says to pass it", async () => {
    const conversations = (await api<Listed>(alma, "/api/conversations")).conversations.length;
    const err: string[] = [];
    const code = await runCli(["ask", "--attach", join(tmp, "notes.md"), "q", "--server", alma.url], {
      stdin: Readable.from([""]),
      stdout: { write: () => undefined },
      stderr: { write: (c: string) => err.push(c) },
      env: {},
    });
    expect(code).toBe(1);
    expect(err.join("")).toMatch(/--token|ALMA_AUTH_TOKEN/);
    expect((await api<Listed>(alma, "/api/conversations")).conversations.length).toBe(conversations);
  });
});
