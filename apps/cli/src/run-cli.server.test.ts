import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, loadConfig } from "@alma/server";
import { startFakeOpenAI, type FakeOpenAIServer } from "@alma/testing";
import { runCli } from "./run-cli.js";

// End to end: the real server (WebSocket, run hub, agent, SQLite in memory) against a fake OpenAI-compatible upstream.
const TOKENS = ["One", " two", " three", " four", " five", " six", " seven", " eight", " nine", " ten"];

let upstream: FakeOpenAIServer;
let app: Awaited<ReturnType<typeof buildApp>>;
let server: string;

beforeAll(async () => {
  upstream = await startFakeOpenAI({
    handler: (request) => {
      const last = [...request.messages].reverse().find((m) => m.role === "user");
      const content = typeof last?.content === "string" ? last.content : "";
      if (content.includes("slowly")) return { tokens: TOKENS, tokensPerSecond: 20 };
      if (content.includes("fail")) return { error: { status: 401, message: "Incorrect API key provided" } };
      return { tokens: TOKENS };
    },
  });
  const config = loadConfig({
    ALMA_PROVIDER: "openai",
    OPENAI_BASE_URL: upstream.url,
    OPENAI_API_KEY: "sk-test",
    OPENAI_MODEL: "gpt-4o-mini",
    ALMA_DB_PATH: ":memory:",
    LOG_LEVEL: "silent",
    ALMA_PROVIDER_MAX_RETRIES: "0",
  });
  app = await buildApp({ config, logger: false });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("expected a TCP address");
  server = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await app?.close();
  await upstream?.close();
});

async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli([...argv, "--server", server], {
    stdin: Readable.from([""]),
    stdout: { write: (c: string) => out.push(c) },
    stderr: { write: (c: string) => err.push(c) },
    env: {},
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

describe("alma CLI against the real server", () => {
  it("ask prints the streamed answer and exits 0", async () => {
    const result = await cli(["ask", "count to ten", "--type", "conversational"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${TOKENS.join("")}\n`);
  });

  it("--json lines parse, carry receivedAt and a gap-free seq and index", async () => {
    const before = Date.now();
    const result = await cli(["ask", "count to ten", "--type", "conversational", "--json", "--no-cache"]);
    expect(result.code).toBe(0);
    const frames = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown> & { type: string; receivedAt: number });
    for (const frame of frames) expect(frame.receivedAt).toBeGreaterThanOrEqual(before);
    const runEvents = frames.filter((f) => f.type.startsWith("run."));
    expect(runEvents[0]?.type).toBe("run.started");
    expect(runEvents.at(-1)?.type).toBe("run.completed");
    expect(runEvents.map((f) => f.index)).toEqual(runEvents.map((_, i) => i));
    const tokens = runEvents.filter((f) => f.type === "run.token");
    expect(tokens.map((t) => t.seq)).toEqual(tokens.map((_, i) => i));
    expect(tokens.map((t) => t.text).join("")).toBe(TOKENS.join(""));
  });

  it("--stop-after N prints N tokens and the run ends as stopped", async () => {
    const result = await cli(["ask", "count slowly", "--type", "conversational", "--stop-after", "3", "--no-cache"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${TOKENS.slice(0, 3).join("")}\n`);
    const json = await cli(["ask", "count slowly please", "--type", "conversational", "--stop-after", "3", "--json", "--no-cache"]);
    const frames = json.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; finishReason?: string; conversationId?: string });
    const completed = frames.find((f) => f.type === "run.completed");
    expect(completed?.finishReason).toBe("stopped");
    expect(frames.filter((f) => f.type === "run.token").length).toBeLessThan(TOKENS.length);
    // the stop reached the provider: the upstream HTTP request was closed before its answer finished
    const upstreamRequest = upstream.chatRequests().at(-1)!;
    expect((await upstream.waitForEnd(upstreamRequest.index)).clientAborted).toBe(true);
    const history = await cli(["history", completed!.conversationId!]);
    expect(history.stdout).toMatch(/assistant \[stopped\]:\nOne two three/);
  });

  it("exits non-zero with the run's error message when the provider fails", async () => {
    const result = await cli(["ask", "please fail", "--type", "conversational"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^alma: .*(API key|OPENAI_API_KEY)/i);
  });

  it("list shows the conversations the asks created", async () => {
    const result = await cli(["list"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split("\n").length).toBeGreaterThanOrEqual(3);
  });
});
