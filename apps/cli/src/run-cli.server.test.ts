import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";
import { conversationOf, jsonLines, startAlmaServer, TOKENS, type TestAlmaServer } from "./testing/start-alma-server.js";

// End to end: the real server (WebSocket, run hub, agent, SQLite in memory) against a fake OpenAI-compatible upstream.
const AUTH_TOKEN = "a-token-of-16-chars-or-more";

let alma: TestAlmaServer;
let guarded: TestAlmaServer;
let tmp: string;
/** a conversation to export, asked before the provider-failure test leaves the server with no model ready */
let id: string;

beforeAll(async () => {
  [alma, guarded] = await Promise.all([startAlmaServer(), startAlmaServer({ ALMA_AUTH_TOKEN: AUTH_TOKEN })]);
  tmp = await mkdtemp(join(tmpdir(), "alma-cli-"));
  const asked = await cli(["ask", "export me", "--type", "conversational", "--no-cache"]);
  expect(asked, asked.stderr).toMatchObject({ code: 0 });
  id = conversationOf(asked.stderr);
});

afterAll(async () => {
  await alma?.close();
  await guarded?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** runs the CLI in-process against `server`; `stdoutTTY` as when a person watches the output in a terminal */
async function cli(argv: string[], options: { stdoutTTY?: boolean; server?: TestAlmaServer; env?: Record<string, string> } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli([...argv, "--server", (options.server ?? alma).url], {
    stdin: Readable.from([""]),
    stdout: { write: (c: string) => out.push(c), isTTY: options.stdoutTTY ?? false },
    // stderr is a terminal in both cases: whether progress shows depends on stdout alone
    stderr: { write: (c: string) => err.push(c), isTTY: true },
    env: options.env ?? {},
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

describe("alma CLI against the real server", () => {
  it("ask prints the streamed answer, ends stderr with the conversation id, and --conversation continues it", async () => {
    const result = await cli(["ask", "count to ten", "--type", "conversational"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${TOKENS.join("")}\n`);
    const id = conversationOf(result.stderr);
    // piped: nothing but the conversation line
    expect(result.stderr).toBe(`alma: conversation ${id} (continue with --conversation ${id})\n`);

    const next = await cli(["ask", "and again", "--type", "conversational", "--no-cache", "--conversation", id]);
    expect(next.code).toBe(0);
    expect(conversationOf(next.stderr)).toBe(id);
    const history = await cli(["history", id]);
    expect(history.stdout.match(/^(user|assistant):$/gm)).toEqual(["user:", "assistant:", "user:", "assistant:"]);
  });

  it("--json: every stdout line is JSON (one frame per line, nothing else), with receivedAt and a gap-free seq and index", async () => {
    const before = Date.now();
    const result = await cli(["ask", "count to ten", "--type", "conversational", "--json", "--no-cache"]);
    expect(result.code).toBe(0);
    const frames = jsonLines(result.stdout);
    expect(frames.length).toBe(result.stdout.split("\n").length - 1);
    for (const frame of frames) {
      expect(typeof frame.type).toBe("string");
      expect(frame.receivedAt).toBeGreaterThanOrEqual(before);
    }
    expect(frames[0]?.type).toBe("welcome");
    const runEvents = frames.filter((f) => f.type.startsWith("run."));
    expect(runEvents[0]?.type).toBe("run.started");
    expect(runEvents.at(-1)?.type).toBe("run.completed");
    expect(runEvents.map((f) => f.index)).toEqual(runEvents.map((_, i) => i));
    const tokens = runEvents.filter((f) => f.type === "run.token");
    expect(tokens.map((t) => t.seq)).toEqual(tokens.map((_, i) => i));
    expect(tokens.map((t) => t.text).join("")).toBe(TOKENS.join(""));
    // the conversation goes to stderr, never into the JSON lines
    expect(result.stderr).toBe(`alma: conversation ${runEvents[0]!.conversationId} (continue with --conversation ${runEvents[0]!.conversationId})\n`);
  });

  it("progress goes to stderr only when stdout is a terminal", async () => {
    const watched = await cli(["ask", "count to ten", "--type", "conversational", "--no-cache"], { stdoutTTY: true });
    expect(watched.code).toBe(0);
    expect(watched.stdout).toBe(`${TOKENS.join("")}\n`);
    const id = conversationOf(watched.stderr);
    expect(watched.stderr).toMatch(new RegExp(`^· conversational · openai/gpt-4o-mini · conversation ${id}\n`));
    expect(watched.stderr).toMatch(/^· Writing the answer$/m);
    expect(watched.stderr).toMatch(/^· stop · 10 tokens in \d+ ms/m);

    const piped = await cli(["ask", "count to ten", "--type", "conversational", "--no-cache"]);
    expect(piped.stderr).not.toMatch(/·/);
    expect(piped.stderr).toBe(`alma: conversation ${conversationOf(piped.stderr)} (continue with --conversation ${conversationOf(piped.stderr)})\n`);
  });

  it("--stop-after 3 prints 3 tokens, exits 0 saying it stopped after 3 tokens, and the run ends as stopped", async () => {
    const result = await cli(["ask", "count slowly", "--type", "conversational", "--stop-after", "3", "--no-cache"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${TOKENS.slice(0, 3).join("")}\n`);
    const id = conversationOf(result.stderr);
    expect(result.stderr).toBe(
      `alma: stopped after 3 tokens (--stop-after); the partial answer is kept.\nalma: conversation ${id} (continue with --conversation ${id})\n`,
    );

    const json = await cli(["ask", "count slowly please", "--type", "conversational", "--stop-after", "3", "--json", "--no-cache"]);
    expect(json.code).toBe(0);
    expect(json.stderr).toMatch(/^alma: stopped after 3 tokens/);
    const frames = jsonLines(json.stdout);
    const completed = frames.find((f) => f.type === "run.completed");
    expect(completed?.finishReason).toBe("stopped");
    expect(frames.filter((f) => f.type === "run.token").length).toBeLessThan(TOKENS.length);
    // the stop reached the provider: the upstream HTTP request was closed before its answer finished
    const upstreamRequest = alma.upstream.chatRequests().at(-1)!;
    expect((await alma.upstream.waitForEnd(upstreamRequest.index)).clientAborted).toBe(true);
    const history = await cli(["history", String(completed!.conversationId)]);
    expect(history.stdout).toMatch(/assistant \[stopped\]:\nOne two three/);
  });

  it("exits non-zero with the run's error message when the provider fails", async () => {
    const result = await cli(["ask", "please fail", "--type", "conversational"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^alma: .*(API key|OPENAI_API_KEY)/i);
    conversationOf(result.stderr);
  });

  it("list shows the conversations the asks created", async () => {
    const result = await cli(["list"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split("\n").length).toBeGreaterThanOrEqual(3);
  });
});

// `GET /api/conversations/:id/export?format=markdown|json`: markdown → text/markdown; json → { version: 1,
// exportedAt, conversation, messages, totals: { promptTokens, completionTokens, costUsd } }; 404 { error, message }
describe("alma export against the real server", () => {
  it("prints the conversation as Markdown", async () => {
    const result = await cli(["export", id]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toContain("export me");
    expect(result.stdout).toContain(TOKENS.join(""));
    expect(result.stdout.endsWith("\n")).toBe(true);
  });

  it("prints the conversation as JSON: version 1, the conversation, its messages and the totals", async () => {
    const result = await cli(["export", id, "--format", "json"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const exported = JSON.parse(result.stdout) as {
      version: number;
      exportedAt: unknown;
      conversation: { id: string };
      messages: { role: string; content: string }[];
      totals: { promptTokens: number; completionTokens: number; costUsd: number };
    };
    expect(exported.version).toBe(1);
    expect(exported.exportedAt).toBeDefined();
    expect(exported.conversation.id).toBe(id);
    expect(exported.messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "export me"],
      ["assistant", TOKENS.join("")],
    ]);
    expect(exported.totals.completionTokens).toBe(TOKENS.length);
    expect(typeof exported.totals.promptTokens).toBe("number");
    expect(typeof exported.totals.costUsd).toBe("number");
  });

  it("--out writes the export to a file and prints nothing on stdout", async () => {
    const file = join(tmp, "export.json");
    const result = await cli(["export", id, "--json", "--out", file]);
    expect(result).toEqual({ code: 0, stdout: "", stderr: `alma: exported conversation ${id} (json) to ${file}\n` });
    expect((JSON.parse(await readFile(file, "utf8")) as { conversation: { id: string } }).conversation.id).toBe(id);
  });

  it("an unknown conversation: exit 1, what happened and what to do", async () => {
    const result = await cli(["export", "no-such-conversation"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(new RegExp(`^alma: no conversation no-such-conversation on the server at ${alma.url}: .+\nRun \`alma list\``));
  });

  it("sends the server's access token (ALMA_AUTH_TOKEN), and says so when it is missing", async () => {
    const env = { ALMA_AUTH_TOKEN: AUTH_TOKEN };
    const asked = await cli(["ask", "export me", "--type", "conversational"], { server: guarded, env });
    const guardedId = conversationOf(asked.stderr);
    const missing = await cli(["export", guardedId], { server: guarded });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /refused the export \(401 unauthorized\).*\nThis server needs its access token: pass it with --token or set ALMA_AUTH_TOKEN\./,
    );
    const given = await cli(["export", guardedId], { server: guarded, env });
    expect(given.code).toBe(0);
    expect(given.stdout).toContain("export me");
  });
});
