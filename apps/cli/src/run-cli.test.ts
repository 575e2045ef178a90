import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { scriptedRunEvents, startFakeAlmaServer, welcomeFrame, type FakeAlmaServer, type FakeAlmaServerOptions } from "@alma/client/testing";
import type { ClientFrame, RunEvent } from "@alma/protocol";
import { jsonLine, runCli } from "./run-cli.js";

const servers: FakeAlmaServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

function capture(isTTY = false) {
  const chunks: string[] = [];
  return {
    write: (c: string) => chunks.push(c),
    isTTY,
    get text() {
      return chunks.join("");
    },
  };
}

const CONVERSATION_C1 = "alma: conversation c1 (continue with --conversation c1)\n";

async function cli(argv: string[], options: { stdin?: string; stdoutTTY?: boolean; stderrTTY?: boolean; env?: Record<string, string> } = {}) {
  const stdout = capture(options.stdoutTTY ?? false);
  const stderr = capture(options.stderrTTY ?? false);
  const code = await runCli(argv, { stdin: Readable.from([options.stdin ?? ""]), stdout, stderr, env: options.env ?? {} });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A fake server that answers each message.send with the given run events. */
async function serverAnswering(events: (frame: Extract<ClientFrame, { type: "message.send" }>) => RunEvent[], extra: FakeAlmaServerOptions = {}) {
  const server = await startFakeAlmaServer({
    ...extra,
    onFrame(frame, connection) {
      if (frame.type !== "message.send") return extra.onFrame?.(frame, connection);
      connection.send({
        type: "message.accepted",
        clientMessageId: frame.clientMessageId,
        conversationId: "c1",
        userMessageId: "u1",
        runId: "r1",
        duplicate: false,
      });
      for (const event of events(frame)) connection.send(event);
    },
  });
  servers.push(server);
  return server;
}

describe("runCli ask", () => {
  it("prints the streamed answer and exits 0", async () => {
    const server = await serverAnswering(() => scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: ["Hello", ", ", "world"] }));
    const result = await cli(["ask", "hi", "--server", server.url]);
    expect(result).toEqual({ code: 0, stdout: "Hello, world\n", stderr: CONVERSATION_C1 });
  });

  it("reads the question from stdin and passes the options", async () => {
    let sent: Extract<ClientFrame, { type: "message.send" }> | null = null;
    const server = await serverAnswering((frame) => {
      sent = frame;
      return scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: ["ok"] });
    });
    const result = await cli(["ask", "-", "--server", server.url, "--type", "creative", "--no-cache", "--conversation", "c1"], {
      stdin: "  a piped question\n",
    });
    expect(result.code).toBe(0);
    expect(sent).toMatchObject({ content: "a piped question", conversationId: "c1", options: { taskType: "creative", bypassCache: true } });
  });

  it("prints progress on stderr only when stdout is a terminal (a person watches), and the conversation always", async () => {
    const server = await serverAnswering(() => scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: ["x"] }));
    const watched = await cli(["ask", "q", "--server", server.url], { stdoutTTY: true });
    expect(watched.stdout).toBe("x\n");
    expect(watched.stderr).toMatch(/^· conversational · scripted\/scripted · conversation c1\n/);
    expect(watched.stderr).toMatch(/· stop · 1 tokens in \d+ ms/);
    expect(watched.stderr.endsWith(CONVERSATION_C1)).toBe(true);
    // piped (`alma ask q | less`, or a script): stderr is a terminal, stdout is not: no progress
    for (const options of [{ stderrTTY: true }, {}]) {
      expect(await cli(["ask", "q", "--server", server.url], options)).toEqual({ code: 0, stdout: "x\n", stderr: CONVERSATION_C1 });
    }
    // --json on a terminal: the lines are the output, nothing else
    const json = await cli(["ask", "q", "--json", "--server", server.url], { stdoutTTY: true });
    expect(json.stderr).toBe(CONVERSATION_C1);
  });

  it("on a terminal, a progress line mid-answer starts on a line of its own", async () => {
    const server = await serverAnswering(() => {
      const [started, token, completed] = scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: ["half"] });
      const progress = { type: "run.progress", runId: "r1", index: 2, at: 2, phase: "retrying", label: "Retrying (attempt 2)" } as RunEvent;
      return [started!, token!, progress, { ...completed!, index: 3 } as RunEvent];
    });
    const chunks: [string, string][] = [];
    const code = await runCli(["ask", "q", "--server", server.url], {
      stdin: Readable.from([""]),
      stdout: { write: (c: string) => chunks.push(["out", c]), isTTY: true },
      stderr: { write: (c: string) => chunks.push(["err", c]) },
      env: {},
    });
    expect(code).toBe(0);
    const i = chunks.findIndex(([, c]) => c.includes("Retrying"));
    expect(chunks.slice(i - 2, i + 1)).toEqual([
      ["out", "half"],
      ["out", "\n"],
      ["err", "· Retrying (attempt 2)\n"],
    ]);
  });

  it("prints the reviewer's pass after the answer as Review, unnumbered (as the web app and the export show it)", async () => {
    const server = await serverAnswering(() => {
      const [started, ...rest] = scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: [] });
      const b = (index: number) => ({ runId: "r1", index, at: index });
      return [
        started!,
        { type: "run.plan", ...b(1), steps: [{ id: "s1", title: "Gather", agent: "analyst", dependsOn: [] }] },
        { type: "run.step.started", ...b(2), stepId: "s1", title: "Gather", agent: "analyst" },
        { type: "run.token", ...b(3), seq: 0, text: "facts", agent: "analyst", stepId: "s1" },
        { type: "run.step.completed", ...b(4), stepId: "s1", status: "complete", finishReason: "stop", note: null, completionTokens: 1, durationMs: 1 },
        { type: "run.token", ...b(5), seq: 1, text: "So yes.", agent: "manager", stepId: null },
        { type: "run.step.started", ...b(6), stepId: "review", title: "Review", agent: "reviewer" },
        { type: "run.token", ...b(7), seq: 2, text: "All supported.", agent: "reviewer", stepId: "review" },
        { type: "run.step.completed", ...b(8), stepId: "review", status: "complete", finishReason: "stop", note: null, completionTokens: 1, durationMs: 1 },
        { ...(rest.at(-1) as RunEvent), index: 9 },
      ] as RunEvent[];
    });
    const result = await cli(["ask", "compare", "--server", server.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("Plan:\n  1. Gather\n\n## Step 1: Gather\nfacts\n\n## Answer\nSo yes.\n\n## Review\nAll supported.\n");
  });

  it("prints the plan, step headings and step tokens, then the synthesis of an analytical run", async () => {
    const server = await serverAnswering(() => {
      const [started, ...rest] = scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: [] });
      const b = (index: number) => ({ runId: "r1", index, at: index });
      return [
        started!,
        {
          type: "run.plan",
          ...b(1),
          steps: [
            { id: "s1", title: "Gather", agent: "researcher", dependsOn: [] },
            { id: "s2", title: "Weigh", agent: "analyst", dependsOn: ["s1"] },
          ],
        },
        { type: "run.step.started", ...b(2), stepId: "s1", title: "Gather", agent: "researcher" },
        { type: "run.token", ...b(3), seq: 0, text: "facts", agent: "researcher", stepId: "s1" },
        { type: "run.step.completed", ...b(4), stepId: "s1", status: "complete", finishReason: "stop", note: null, completionTokens: 1, durationMs: 1 },
        { type: "run.step.started", ...b(5), stepId: "s2", title: "Weigh", agent: "analyst" },
        { type: "run.token", ...b(6), seq: 1, text: "half", agent: "analyst", stepId: "s2" },
        {
          type: "run.step.completed",
          ...b(7),
          stepId: "s2",
          status: "truncated",
          finishReason: "length",
          note: "hit the step's token budget",
          completionTokens: 1,
          durationMs: 1,
        },
        { type: "run.token", ...b(8), seq: 2, text: "So yes.", agent: "manager", stepId: null },
        { ...(rest.at(-1) as RunEvent), index: 9 },
      ] as RunEvent[];
    });
    const result = await cli(["ask", "compare", "--server", server.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "Plan:\n  1. Gather\n  2. Weigh\n\n## Step 1: Gather\nfacts\n\n## Step 2: Weigh\nhalf\n(step truncated: hit the step's token budget)\n\n## Answer\nSo yes.\n",
    );
  });

  it("lists each planned step once; one planned after the steps began is not printed amid a step's text", async () => {
    const server = await serverAnswering(() => {
      const [started, ...rest] = scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: [] });
      const b = (index: number) => ({ runId: "r1", index, at: index });
      const step = (id: string, title: string) => ({ id, title, agent: "analyst", dependsOn: [] });
      return [
        started!,
        { type: "run.plan", ...b(1), steps: [step("s1", "Gather"), step("s2", "Weigh")], final: false },
        { type: "run.step.started", ...b(2), stepId: "s1", title: "Gather", agent: "analyst" },
        { type: "run.token", ...b(3), seq: 0, text: "facts", agent: "analyst", stepId: "s1" },
        { type: "run.plan", ...b(4), steps: [step("s1", "Gather"), step("s2", "Weigh"), step("s3", "Pick")], final: true },
        { type: "run.step.completed", ...b(5), stepId: "s1", status: "complete", finishReason: "stop", note: null, completionTokens: 1, durationMs: 1 },
        { ...(rest.at(-1) as RunEvent), index: 6 },
      ] as RunEvent[];
    });
    const result = await cli(["ask", "compare", "--server", server.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("Plan:\n  1. Gather\n  2. Weigh\n\n## Step 1: Gather\nfacts\n");
  });

  it("prints a step's tool calls with their outcome, in the step", async () => {
    const server = await serverAnswering(() => {
      const [started, ...rest] = scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: [] });
      const b = (index: number) => ({ runId: "r1", index, at: index });
      const call = { stepId: "s1", agent: "calculator", tool: "run_javascript" };
      return [
        started!,
        { type: "run.plan", ...b(1), steps: [{ id: "s1", title: "Compute", agent: "calculator", dependsOn: [] }], final: true },
        { type: "run.step.started", ...b(2), stepId: "s1", title: "Compute", agent: "calculator" },
        { type: "run.tool.started", ...b(3), ...call, callId: "k1", arguments: "{}" },
        { type: "run.tool.completed", ...b(4), ...call, callId: "k1", ok: true, result: "1798.65", error: null, durationMs: 1200 },
        { type: "run.token", ...b(5), seq: 0, text: "It is 1798.65.", agent: "calculator", stepId: "s1" },
        { type: "run.step.completed", ...b(6), stepId: "s1", status: "complete", finishReason: "stop", note: null, completionTokens: 4, durationMs: 2 },
        { ...(rest.at(-1) as RunEvent), index: 7 },
      ] as RunEvent[];
    });
    const result = await cli(["ask", "compute", "--server", server.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("Plan:\n  1. Compute\n\n## Step 1: Compute\n> run_javascript → 1798.65 (1.2 s)\nIt is 1798.65.\n");
  });

  it("--json prints every frame as sent plus receivedAt, one per line and nothing else; the conversation on stderr", async () => {
    const server = await serverAnswering(() => scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: ["a", "b"] }));
    const before = Date.now();
    const result = await cli(["ask", "q", "--json", "--server", server.url]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(CONVERSATION_C1);
    expect(result.stdout.endsWith("\n")).toBe(true);
    const lines = result.stdout
      .slice(0, -1)
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; receivedAt: number; seq?: number });
    expect(lines.map((l) => l.type)).toEqual(["welcome", "message.accepted", "run.started", "run.token", "run.token", "run.completed"]);
    for (const line of lines) expect(line.receivedAt).toBeGreaterThanOrEqual(before);
    expect(lines.filter((l) => l.type === "run.token").map((l) => l.seq)).toEqual([0, 1]);
  });

  it("--stop-after N sends run.stop after N tokens and prints exactly N", async () => {
    const stops: string[] = [];
    const events = scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: ["1", "2", "3", "4"], finishReason: "stopped" });
    const server = await serverAnswering(() => events.slice(0, 4), {
      onFrame(frame, connection) {
        if (frame.type !== "run.stop") return;
        stops.push(frame.runId);
        connection.send(events[4]!);
        connection.send({ ...events.at(-1)!, index: 5 } as RunEvent);
      },
    });
    const result = await cli(["ask", "q", "--stop-after", "2", "--server", server.url]);
    expect(stops).toEqual(["r1"]);
    expect(result).toEqual({
      code: 0,
      stdout: "12\n",
      stderr: `alma: stopped after 2 tokens (--stop-after); the partial answer is kept.\n${CONVERSATION_C1}`,
    });
  });

  it("an answer cut at the length limit says so on stderr (a pipe would take it for whole) and exits 0", async () => {
    const events = scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: ["Tim ", "fel"], finishReason: "length" });
    const server = await serverAnswering(() => events);
    const result = await cli(["ask", "a story", "--server", server.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("Tim fel\n");
    expect(result.stderr).toMatch(
      /^alma: the answer was cut at the length limit after \d+ tokens; it is kept, and Continue in the web app goes on from it\.\n/,
    );
    expect(result.stderr.endsWith(CONVERSATION_C1)).toBe(true);
  });

  it("Ctrl-C stops the run, keeps what was printed and exits 130", async () => {
    const events = scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: ["par", "tial"], finishReason: "stopped" });
    const interrupted = new AbortController();
    const server = await serverAnswering(() => events.slice(0, 2), {
      onFrame(frame, connection) {
        if (frame.type === "run.stop") connection.send({ ...events.at(-1)!, index: 2 } as RunEvent);
      },
    });
    const stdout = capture();
    const stderr = capture();
    const running = runCli(["ask", "q", "--server", server.url], {
      stdin: Readable.from([""]),
      stdout: {
        write: (c: string) => {
          stdout.write(c);
          if (c === "par") interrupted.abort();
        },
      },
      stderr,
      env: {},
      signal: interrupted.signal,
    });
    expect(await running).toBe(130);
    expect(stdout.text).toBe("par\n");
    expect(stderr.text).toBe(`alma: stopped; the partial answer is kept.\n${CONVERSATION_C1}`);
  });

  it("Ctrl-C before the question was sent asks nothing and exits 130", async () => {
    const sends: string[] = [];
    const server = await serverAnswering((frame) => {
      sends.push(frame.content);
      return scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: ["never"] });
    });
    const interrupted = new AbortController();
    interrupted.abort();
    const stdout = capture();
    const stderr = capture();
    const code = await runCli(["ask", "q", "--server", server.url], { stdin: Readable.from([""]), stdout, stderr, env: {}, signal: interrupted.signal });
    expect(code).toBe(130);
    expect(stdout.text).toBe("");
    expect(stderr.text).toBe("alma: interrupted before the question was sent; nothing was asked.\n");
    await new Promise((r) => setTimeout(r, 50));
    expect(sends).toEqual([]);
  });

  it("exits 1 saying the connection was lost when it drops mid-answer, ending the printed line", async () => {
    const events = scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: ["par", "tial"] });
    const server = await startFakeAlmaServer({
      onFrame(frame, connection) {
        if (frame.type !== "message.send") return;
        connection.send({
          type: "message.accepted",
          clientMessageId: frame.clientMessageId,
          conversationId: "c1",
          userMessageId: "u1",
          runId: "r1",
          duplicate: false,
        });
        connection.send(events[0]!);
        connection.send(events[1]!);
        setTimeout(() => connection.terminate(), 20);
      },
    });
    servers.push(server);
    const result = await cli(["ask", "q", "--server", server.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("par\n");
    expect(result.stderr).toMatch(/^alma: The connection to ws:\/\/127\.0\.0\.1:\d+\/ws was lost/);
    // the server acknowledged the message: the conversation exists, and is said last
    expect(result.stderr.endsWith(CONVERSATION_C1)).toBe(true);
  });

  it("exits 1 with the run.error message", async () => {
    const server = await serverAnswering(() =>
      scriptedRunEvents({
        runId: "r1",
        conversationId: "c1",
        tokens: ["part"],
        error: { code: "stream_interrupted", message: "The provider cut the stream; retry." },
      }),
    );
    const result = await cli(["ask", "q", "--server", server.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`alma: The provider cut the stream; retry. The partial answer is kept.\n${CONVERSATION_C1}`);
  });

  it("says once that the partial answer is kept when the server's message says it already (a shutdown)", async () => {
    const message = "The server shut down during this answer. The partial answer was kept; continue it when the server is back.";
    // the scripted run ends with an error of another code: made the shutdown's, as the server sends it
    const server = await serverAnswering(() =>
      scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: ["part"], error: { code: "stream_interrupted", message } }).map((e) =>
        e.type === "run.error" ? { ...e, code: "shutting_down" as const } : e,
      ),
    );
    const result = await cli(["ask", "q", "--server", server.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("part\n");
    expect(result.stderr).toBe(`alma: ${message}\n${CONVERSATION_C1}`);
  });

  it("says the server isn't running and how to start it when the connection is refused", async () => {
    const server = await startFakeAlmaServer();
    const url = server.url;
    await server.close();
    const result = await cli(["ask", "q", "--server", url]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`the alma server isn't running at ${url}`);
    expect(result.stderr).toContain("pnpm start:server");
    // and both ways to point it at another server
    expect(result.stderr).toContain("--server URL or ALMA_SERVER_URL");
  });

  it("shows the setup hints when the server has no model", async () => {
    const server = await startFakeAlmaServer({
      welcome: welcomeFrame({
        model: {
          ready: false,
          provider: "local",
          model: null,
          contextWindow: null,
          state: "unavailable",
          download: null,
          problem: "No model file and no API key.",
          setup: ["Set OPENAI_API_KEY", "Set ALMA_MODEL"],
        },
      }),
    });
    servers.push(server);
    const result = await cli(["ask", "q", "--server", server.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no model ready\.\nNo model file and no API key\.\nTo make a model ready:\n {2}- Set OPENAI_API_KEY\n {2}- Set ALMA_MODEL/);
  });

  it("exits 2 with usage help for bad arguments and for an empty question", async () => {
    expect(await cli(["ask", "q", "--type", "x"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--type") });
    expect(await cli(["ask"], { stdin: "  " })).toMatchObject({ code: 2, stderr: expect.stringContaining("no question") });
  });
});

describe("runCli conversation commands", () => {
  const conversation = { id: "c1", title: "Trip", createdAt: 1, updatedAt: 0, summary: null, summarizedCount: 0 };

  it("list, history and pin print what the server answers", async () => {
    const server = await startFakeAlmaServer({
      onFrame(frame, connection) {
        if (frame.type === "conversation.list")
          connection.send({ type: "conversation.list.result", requestId: frame.requestId, conversations: [{ ...conversation, snippet: null }] });
        if (frame.type === "conversation.history") {
          connection.send({
            type: "conversation.history.result",
            requestId: frame.requestId,
            conversation,
            messages: [
              {
                id: "m1",
                conversationId: "c1",
                role: "user",
                content: "Where to?",
                status: "complete",
                createdAt: 1,
                clientMessageId: null,
                runId: null,
                taskType: null,
                pinned: false,
                steps: null,
                finishReason: null,
                usage: null,
                metrics: null,
                error: null,
              },
              {
                id: "m2",
                conversationId: "c1",
                role: "assistant",
                content: "Lisbon",
                status: "stopped",
                createdAt: 2,
                clientMessageId: null,
                runId: "r1",
                taskType: "conversational",
                pinned: false,
                steps: null,
                finishReason: "stopped",
                usage: null,
                metrics: null,
                error: null,
              },
            ],
            pinnedFacts: [],
            activeRun: null,
            context: null,
          });
        }
        if (frame.type === "memory.pin") {
          connection.send({
            type: "memory.updated",
            requestId: frame.requestId,
            conversationId: frame.conversationId,
            pinnedFacts: [{ id: "f1", conversationId: "c1", text: frame.text ?? "", messageId: null, createdAt: 1 }],
            summary: null,
            summarizedCount: 0,
          });
        }
      },
    });
    servers.push(server);
    expect(await cli(["list", "--server", server.url])).toEqual({ code: 0, stdout: "c1  1970-01-01T00:00:00.000Z  Trip\n", stderr: "" });
    expect((await cli(["history", "c1", "--server", server.url])).stdout).toBe("# Trip (c1)\n\nuser:\nWhere to?\n\nassistant [stopped]:\nLisbon\n");
    expect((await cli(["pin", "I am vegetarian", "--conversation", "c1", "--server", server.url])).stdout).toBe(
      "Pinned. Conversation c1 has 1 pinned fact(s):\n  - I am vegetarian\n",
    );
  });

  it("prints a server error for a request and exits 1", async () => {
    const server = await startFakeAlmaServer({
      onFrame(frame, connection) {
        if (frame.type === "conversation.history")
          connection.send({
            type: "error",
            code: "not_found",
            message: "No conversation nope; alma list shows them.",
            retryable: false,
            requestId: frame.requestId,
          });
      },
    });
    servers.push(server);
    expect(await cli(["history", "nope", "--server", server.url])).toEqual({
      code: 1,
      stdout: "",
      stderr: "alma: No conversation nope; alma list shows them.\n",
    });
  });
});

describe("jsonLine", () => {
  it("splices receivedAt into the server's own text, keeping every field as sent", () => {
    expect(jsonLine('{"type":"run.token","text":"a\\nb","n":1.50}', 7)).toBe('{"type":"run.token","text":"a\\nb","n":1.50,"receivedAt":7}');
    expect(jsonLine("{}", 7)).toBe('{"receivedAt":7}');
  });

  it("a frame spread over lines still comes out as one line", () => {
    const line = jsonLine('{\n  "type": "welcome"\n}\n', 7);
    expect(line).not.toContain("\n");
    expect(JSON.parse(line)).toEqual({ type: "welcome", receivedAt: 7 });
  });
});
