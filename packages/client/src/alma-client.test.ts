import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { foldRunEvents, type RunEvent } from "@alma/protocol";
import { AlmaClient, type AlmaClientOptions } from "./alma-client.js";
import { AlmaClientError } from "./alma-client-error.js";
import type { ConnectionState } from "./connection-state.js";
import { scriptedRunEvents, startFakeAlmaServer, type FakeAlmaServer } from "./testing/index.js";

const servers: FakeAlmaServer[] = [];
const clients: AlmaClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const server of servers.splice(0)) await server.close();
});

async function setup(options: Parameters<typeof startFakeAlmaServer>[0] = {}, clientOptions: AlmaClientOptions = {}) {
  const server = await startFakeAlmaServer(options);
  servers.push(server);
  const client = new AlmaClient({ WebSocket, reconnect: { initialDelayMs: 10, maxDelayMs: 50 }, ...clientOptions });
  clients.push(client);
  return { server, client };
}

/** The protocol's fold of a handle's events: the answer, the tokens, and any gap or repeat in index or seq. */
function folded(events: readonly RunEvent[]) {
  const state = foldRunEvents({ runId: events[0]?.runId ?? "none" }, events);
  const problems = [
    ...events.flatMap((e, i) => (e.index === i ? [] : [`event ${i} has index ${e.index}`])),
    ...events.filter((e) => e.type === "run.token").flatMap((e, i) => (e.seq === i ? [] : [`token ${i} has seq ${e.seq}`])),
  ];
  return { answer: state.text, tokenCount: state.tokens, problems, state };
}

async function collect(iterable: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}

describe("AlmaClient handshake", () => {
  it("sends hello with the protocol version and resolves with welcome", async () => {
    const { server, client } = await setup({ token: "secret" });
    const states: ConnectionState["status"][] = [];
    client.on("state", (s) => states.push(s.status));
    const welcome = await client.connect(server.url, { token: "secret" });
    expect(welcome.type).toBe("welcome");
    expect(welcome.connectionId).toBe("conn-1");
    expect(client.state.status).toBe("open");
    expect(states).toEqual(["connecting", "open"]);
  });

  it("rejects with unsupported_version when the server speaks another version, and does not reconnect", async () => {
    const { server, client } = await setup({ protocolVersion: 99 });
    const error = await client.connect(server.url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlmaClientError);
    expect((error as AlmaClientError).code).toBe("unsupported_version");
    expect((error as AlmaClientError).message).toMatch(/version 99/);
    const states: string[] = [];
    client.on("state", (s) => states.push(s.status));
    await new Promise((r) => setTimeout(r, 100));
    expect(client.state).toMatchObject({ status: "closed" });
    expect(states).toEqual([]);
  });

  it("rejects with unauthorized when the token is wrong", async () => {
    const { server, client } = await setup({ token: "secret" });
    await expect(client.connect(server.url, { token: "nope" })).rejects.toMatchObject({ code: "unauthorized" });
  });

  it("rejects with connection_failed naming the URL when nothing listens", async () => {
    const { server, client } = await setup();
    const url = server.url;
    await server.close();
    servers.length = 0;
    await expect(client.connect(url)).rejects.toMatchObject({ code: "connection_failed", message: expect.stringContaining(url) });
  });
});

describe("AlmaClient handshake timeout", () => {
  it("gives up on a server that never answers hello, without reconnecting", async () => {
    const { WebSocketServer } = await import("ws");
    const silent = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((r) => silent.once("listening", r));
    const { port } = silent.address() as { port: number };
    const client = new AlmaClient({ WebSocket, handshakeTimeoutMs: 50 });
    clients.push(client);
    try {
      await expect(client.connect(`ws://127.0.0.1:${port}/ws`)).rejects.toMatchObject({ code: "handshake_timeout" });
      await new Promise((r) => setTimeout(r, 100));
      expect(client.state.status).toBe("closed");
    } finally {
      for (const c of silent.clients) c.terminate();
      await new Promise((r) => silent.close(r));
    }
  });
});

describe("AlmaClient runs", () => {
  it("sends a message, matches the ack and yields the run's events until completion", async () => {
    const { server, client } = await setup();
    await client.connect(server.url);
    const handle = client.send("hello there", { options: { taskType: "conversational" } });
    const { frame, connection } = await server.nextFrame("message.send");
    expect(frame.content).toBe("hello there");
    expect(frame.clientMessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(frame.options.taskType).toBe("conversational");
    connection.send({ type: "message.accepted", clientMessageId: frame.clientMessageId, conversationId: "c1", userMessageId: "u1", runId: "r1", duplicate: false });
    for (const event of scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: ["Hel", "lo", "!"] })) connection.send(event);
    const events = await collect(handle);
    expect(await handle.runId).toBe("r1");
    expect((await handle.accepted)?.conversationId).toBe("c1");
    expect(events.map((e) => e.type)).toEqual(["run.started", "run.token", "run.token", "run.token", "run.completed"]);
    expect(folded(events)).toMatchObject({ answer: "Hello!", tokenCount: 3, problems: [] });
    expect((await handle.done).type).toBe("run.completed");
  });

  it("resolves done with run.error and stops a run by id", async () => {
    const { server, client } = await setup();
    await client.connect(server.url);
    const handle = client.send("hi");
    handle.stop();
    const { frame, connection } = await server.nextFrame("message.send");
    connection.send({ type: "message.accepted", clientMessageId: frame.clientMessageId, conversationId: "c1", userMessageId: "u1", runId: "r9", duplicate: false });
    const stop = await server.nextFrame("run.stop");
    expect(stop.frame.runId).toBe("r9");
    for (const event of scriptedRunEvents({ runId: "r9", conversationId: "c1", tokens: ["a"], error: { code: "provider_unavailable", message: "The provider is down; try again." } })) {
      connection.send(event);
    }
    const done = await handle.done;
    expect(done).toMatchObject({ type: "run.error", code: "provider_unavailable", message: "The provider is down; try again." });
  });

  it("fails the send an error frame names by its clientMessageId", async () => {
    const { server, client } = await setup();
    await client.connect(server.url);
    const handle = client.send("hi");
    const { frame, connection } = await server.nextFrame("message.send");
    connection.send({ type: "error", code: "model_not_ready", message: "No model is ready.", retryable: true, frameType: "message.send", clientMessageId: frame.clientMessageId });
    await expect(handle.done).rejects.toMatchObject({ code: "model_not_ready" });
    await expect(collect(handle)).rejects.toBeInstanceOf(AlmaClientError);
  });

  it("throws invalid_input for an empty message without sending it", async () => {
    const { server, client } = await setup();
    await client.connect(server.url);
    expect(() => client.send("   ")).toThrow(/the message is empty/);
  });

  it("edits a message: message.edit with its own clientMessageId, followed through the ack", async () => {
    const { server, client } = await setup();
    await client.connect(server.url);
    const handle = client.edit("c1", "u1", "better question", { options: { taskType: "analytical" } });
    const { frame, connection } = await server.nextFrame("message.edit");
    expect(frame).toMatchObject({ conversationId: "c1", messageId: "u1", content: "better question", options: { taskType: "analytical" } });
    expect(handle.clientMessageId).toBe(frame.clientMessageId);
    connection.send({ type: "message.accepted", clientMessageId: frame.clientMessageId, conversationId: "c1", userMessageId: "u2", runId: "r2", duplicate: false });
    for (const event of scriptedRunEvents({ runId: "r2", conversationId: "c1", tokens: ["ok"] })) connection.send(event);
    expect((await handle.done).type).toBe("run.completed");
  });

  it("hands events that arrived before the ack to the handle", async () => {
    const { server, client } = await setup();
    await client.connect(server.url);
    const handle = client.send("hi");
    const { frame, connection } = await server.nextFrame("message.send");
    const events = scriptedRunEvents({ runId: "r3", conversationId: "c1", tokens: ["early", " late"] });
    connection.send(events[0]!);
    connection.send(events[1]!);
    connection.send({ type: "message.accepted", clientMessageId: frame.clientMessageId, conversationId: "c1", userMessageId: "u1", runId: "r3", duplicate: false });
    for (const event of events.slice(2)) connection.send(event);
    expect(folded(await collect(handle)).answer).toBe("early late");
  });

  it("hands a whole run that ended before the ack to the handle", async () => {
    const { server, client } = await setup();
    await client.connect(server.url);
    const handle = client.send("hi");
    const { frame, connection } = await server.nextFrame("message.send");
    for (const event of scriptedRunEvents({ runId: "r4", conversationId: "c1", tokens: ["all", " early"] })) connection.send(event);
    connection.send({ type: "message.accepted", clientMessageId: frame.clientMessageId, conversationId: "c1", userMessageId: "u1", runId: "r4", duplicate: false });
    expect((await handle.done).type).toBe("run.completed");
    expect(folded(await collect(handle)).answer).toBe("all early");
  });

  it("past the early-event cap, resumes the run from the last event held instead of leaving a gap", async () => {
    const { server, client } = await setup({}, { maxEarlyRunEvents: 3 });
    await client.connect(server.url);
    const handle = client.send("hi");
    const { frame, connection } = await server.nextFrame("message.send");
    const tokens = Array.from({ length: 8 }, (_, i) => `t${i} `);
    const events = scriptedRunEvents({ runId: "r5", conversationId: "c1", tokens });
    // the whole run, past the cap, before the ack
    for (const event of events) connection.send(event);
    connection.send({ type: "message.accepted", clientMessageId: frame.clientMessageId, conversationId: "c1", userMessageId: "u1", runId: "r5", duplicate: false });
    const resume = await server.nextFrame("run.resume");
    expect(resume.frame).toEqual({ type: "run.resume", runId: "r5", afterIndex: 2 });
    for (const event of events.slice(resume.frame.afterIndex + 1)) resume.connection.send(event);
    const seen = await collect(handle);
    expect(seen.map((e) => e.index)).toEqual(events.map((e) => e.index));
    expect(folded(seen).answer).toBe(tokens.join(""));
  });

  it("fails the handle with the server's reason when the run cannot be resumed past the cap", async () => {
    const { server, client } = await setup({}, { maxEarlyRunEvents: 2 });
    await client.connect(server.url);
    const handle = client.send("hi");
    const { frame, connection } = await server.nextFrame("message.send");
    for (const event of scriptedRunEvents({ runId: "r6", conversationId: "c1", tokens: ["a", "b", "c"] })) connection.send(event);
    connection.send({ type: "message.accepted", clientMessageId: frame.clientMessageId, conversationId: "c1", userMessageId: "u1", runId: "r6", duplicate: false });
    const resume = await server.nextFrame("run.resume");
    resume.connection.send({ type: "error", code: "not_found", message: "That run has ended; load the history.", retryable: false, frameType: "run.resume", runId: "r6" });
    await expect(handle.done).rejects.toMatchObject({ code: "not_found", message: "That run has ended; load the history." });
  });

  it("fails exactly the run an error names by runId when two resumes are pending", async () => {
    const { server, client } = await setup({}, { maxEarlyRunEvents: 1 });
    await client.connect(server.url);
    const first = client.send("one");
    const second = client.send("two");
    const a = await server.nextFrame("message.send");
    const b = await server.nextFrame("message.send");
    for (const event of scriptedRunEvents({ runId: "ra", conversationId: "c1", tokens: ["a", "b"] })) a.connection.send(event);
    for (const event of scriptedRunEvents({ runId: "rb", conversationId: "c2", tokens: ["c", "d"] })) b.connection.send(event);
    a.connection.send({ type: "message.accepted", clientMessageId: a.frame.clientMessageId, conversationId: "c1", userMessageId: "u1", runId: "ra", duplicate: false });
    b.connection.send({ type: "message.accepted", clientMessageId: b.frame.clientMessageId, conversationId: "c2", userMessageId: "u2", runId: "rb", duplicate: false });
    await server.nextFrame("run.resume");
    await server.nextFrame("run.resume");
    // the refusal of the second run's resume arrives first and names its run
    b.connection.send({ type: "error", code: "not_found", message: "Run rb has ended.", retryable: false, frameType: "run.resume", runId: "rb" });
    await expect(second.done).rejects.toMatchObject({ code: "not_found", message: "Run rb has ended." });
    a.connection.send({ type: "error", code: "not_found", message: "Run ra has ended.", retryable: false, frameType: "run.resume", runId: "ra" });
    await expect(first.done).rejects.toMatchObject({ message: "Run ra has ended." });
  });

  it("binds a regenerate to the next run.started of its conversation", async () => {
    const { server, client } = await setup();
    await client.connect(server.url);
    const handle = client.regenerate("c7");
    const { connection } = await server.nextFrame("run.regenerate");
    for (const event of scriptedRunEvents({ runId: "r7", conversationId: "c7", tokens: ["x", "y"] })) connection.send(event);
    expect(await handle.runId).toBe("r7");
    expect(folded(await collect(handle)).answer).toBe("xy");
  });
});

describe("AlmaClient validation and requests", () => {
  it("reports invalid server frames as frame.invalid events and keeps the connection", async () => {
    const { server, client } = await setup();
    await client.connect(server.url);
    const invalid: string[] = [];
    client.on("frame.invalid", (e) => invalid.push(e.reason));
    const connection = await server.connection(1);
    connection.send("not json");
    connection.send(JSON.stringify({ type: "run.token", runId: "r1" }));
    connection.send(JSON.stringify({ type: "mystery" }));
    const list = client.listConversations();
    const { frame } = await server.nextFrame("conversation.list");
    connection.send({ type: "conversation.list.result", requestId: frame.requestId, conversations: [] });
    expect(await list).toEqual([]);
    expect(invalid).toHaveLength(3);
    expect(invalid[0]).toMatch(/not JSON/);
    expect(invalid[1]).toMatch(/invalid frame/);
    expect(client.state.status).toBe("open");
  });

  it("matches concurrent requests by requestId and rejects error replies", async () => {
    const { server, client } = await setup();
    await client.connect(server.url);
    const history = client.history("c1");
    const rename = client.rename("c2", "New title");
    const pin = client.pin("c3", { text: "the sky is blue" });
    const h = await server.nextFrame("conversation.history");
    const r = await server.nextFrame("conversation.rename");
    const p = await server.nextFrame("memory.pin");
    const connection = h.connection;
    const conversation = (id: string, title: string) => ({ id, title, createdAt: 1, updatedAt: 2, summary: null, summarizedCount: 0 });
    // answer out of order
    connection.send({ type: "error", code: "not_found", message: "No conversation c3.", retryable: false, requestId: p.frame.requestId, frameType: "memory.pin" });
    connection.send({ type: "conversation.updated", requestId: r.frame.requestId, conversation: conversation("c2", "New title") });
    connection.send({
      type: "conversation.history.result",
      requestId: h.frame.requestId,
      conversation: conversation("c1", "One"),
      messages: [],
      pinnedFacts: [],
      activeRun: null,
      context: null,
    });
    expect((await history).conversation.id).toBe("c1");
    expect((await rename).title).toBe("New title");
    await expect(pin).rejects.toMatchObject({ code: "not_found", message: "No conversation c3." });
    expect(new Set([h.frame.requestId, r.frame.requestId, p.frame.requestId]).size).toBe(3);
  });

  it("times out a request the server never answers", async () => {
    const { server, client } = await setup({}, { requestTimeoutMs: 50 });
    await client.connect(server.url);
    await expect(client.delete("c1")).rejects.toMatchObject({ code: "request_timeout" });
  });

  it("delivers typed frames to on() listeners and stops after unsubscribe", async () => {
    const { server, client } = await setup();
    await client.connect(server.url);
    const seen: number[] = [];
    const off = client.on("pong", (frame) => seen.push(frame.serverTime));
    const connection = await server.connection(1);
    connection.send({ type: "pong", serverTime: 1 });
    await new Promise((r) => setTimeout(r, 30));
    off();
    connection.send({ type: "pong", serverTime: 2 });
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual([1]);
  });
});

describe("AlmaClient reconnect", () => {
  it("reconnects with backoff and resumes a followed run with no gap and no duplicate", async () => {
    const { server, client } = await setup();
    await client.connect(server.url);
    const states: ConnectionState[] = [];
    client.on("state", (s) => states.push(s));
    const handle = client.send("tell me");
    const first = await server.nextFrame("message.send");
    const events = scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: ["a", "b", "c", "d", "e", "f"] });
    first.connection.send({ type: "message.accepted", clientMessageId: first.frame.clientMessageId, conversationId: "c1", userMessageId: "u1", runId: "r1", duplicate: false });
    for (const event of events.slice(0, 4)) first.connection.send(event);
    // wait until the client has index 3, then cut the connection
    await new Promise<void>((resolve) => {
      const off = client.on("run.token", (e) => e.index === 3 && (off(), resolve()));
    });
    first.connection.terminate();
    const resume = await server.nextFrame("run.resume");
    expect(resume.connection.id).toBe(2);
    expect(resume.frame).toEqual({ type: "run.resume", runId: "r1", afterIndex: 3 });
    // a server may replay more than asked: the client drops what it has
    for (const event of events.slice(2)) resume.connection.send(event);
    const all = await collect(handle);
    expect(all.map((e) => e.index)).toEqual(events.map((e) => e.index));
    expect(folded(all)).toMatchObject({ answer: "abcdef", problems: [] });
    const reconnecting = states.find((s) => s.status === "reconnecting");
    expect(reconnecting).toMatchObject({ attempt: 1 });
    expect(states.at(-1)?.status).toBe("open");
  });

  it("resends an unacknowledged message with the same clientMessageId after a reconnect", async () => {
    const { server, client } = await setup();
    await client.connect(server.url);
    const handle = client.send("are you there?");
    const first = await server.nextFrame("message.send");
    first.connection.terminate();
    const second = await server.nextFrame("message.send");
    expect(second.connection.id).toBe(2);
    expect(second.frame.clientMessageId).toBe(first.frame.clientMessageId);
    second.connection.send({ type: "message.accepted", clientMessageId: second.frame.clientMessageId, conversationId: "c1", userMessageId: "u1", runId: "r1", duplicate: true });
    for (const event of scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: ["yes"] })) second.connection.send(event);
    expect(folded(await collect(handle)).answer).toBe("yes");
  });

  it("reorders events that arrive ahead of a gap and asks for the missing ones", async () => {
    const { server, client } = await setup();
    await client.connect(server.url);
    const handle = client.resume("r5", -1);
    const { connection } = await server.nextFrame("run.resume");
    const events = scriptedRunEvents({ runId: "r5", conversationId: "c1", tokens: ["1", "2", "3"] });
    connection.send(events[0]!);
    connection.send(events[2]!);
    const gap = await server.nextFrame("run.resume");
    expect(gap.frame.afterIndex).toBe(0);
    for (const event of events.slice(1)) connection.send(event);
    expect((await collect(handle)).map((e) => e.index)).toEqual([0, 1, 2, 3, 4]);
  });

  it("stays gap-free and duplicate-free when the connection drops at random points many times", async () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const tokens = Array.from({ length: 500 }, (_, i) => `t${i} `);
    const events = scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens });
    let drops = 0;
    const serve = (connection: { send: (f: RunEvent) => void; terminate: () => void }, from: number) => {
      // replay a little more than asked now and then: the client must drop what it has
      const start = Math.max(0, from - Math.floor(random() * 3));
      const cut = drops < 40 ? start + 1 + Math.floor(random() * 12) : events.length;
      for (const event of events.slice(start, cut)) connection.send(event);
      if (cut < events.length) {
        drops++;
        connection.terminate();
      }
    };
    const { server, client } = await setup(
      {
        onFrame(frame, connection) {
          if (frame.type === "message.send") {
            connection.send({ type: "message.accepted", clientMessageId: frame.clientMessageId, conversationId: "c1", userMessageId: "u1", runId: "r1", duplicate: false });
            serve(connection, 0);
          }
          if (frame.type === "run.resume") serve(connection, frame.afterIndex + 1);
        },
      },
      { reconnect: { initialDelayMs: 1, maxDelayMs: 4 } },
    );
    await client.connect(server.url);
    const all = await collect(client.send("go"));
    expect(drops).toBe(40);
    expect(all.map((e) => e.index)).toEqual(events.map((e) => e.index));
    expect(folded(all)).toMatchObject({ answer: tokens.join(""), problems: [] });
  });

  it("fails a followed run with the server's message when it ended while the connection was down", async () => {
    const { server, client } = await setup();
    await client.connect(server.url);
    const handle = client.resume("r3", 4);
    const first = await server.nextFrame("run.resume");
    expect(first.frame.afterIndex).toBe(4);
    first.connection.terminate();
    const again = await server.nextFrame("run.resume");
    expect(again.connection.id).toBe(2);
    again.connection.send({ type: "error", code: "not_found", message: "That run has ended; load the history.", retryable: false, frameType: "run.resume", runId: "r3" });
    await expect(handle.done).rejects.toMatchObject({ code: "not_found", message: "That run has ended; load the history." });
  });

  it("resumes from its last index when the server reports that the connection fell behind", async () => {
    const { server, client } = await setup();
    await client.connect(server.url);
    const handle = client.resume("r4", -1);
    const { connection } = await server.nextFrame("run.resume");
    const events = scriptedRunEvents({ runId: "r4", conversationId: "c1", tokens: ["a", "b", "c"] });
    connection.send(events[0]!);
    connection.send(events[1]!);
    connection.send({ type: "error", code: "stream_interrupted", message: "This connection fell too far behind run r4.", retryable: true });
    const catchUp = await server.nextFrame("run.resume");
    expect(catchUp.frame).toEqual({ type: "run.resume", runId: "r4", afterIndex: 1 });
    for (const event of events.slice(2)) connection.send(event);
    expect(folded(await collect(handle))).toMatchObject({ answer: "abc", problems: [] });
  });

  it("without reconnect, a dropped connection fails the run with connection_lost", async () => {
    const { server, client } = await setup({}, { reconnect: false });
    await client.connect(server.url);
    const handle = client.send("hi");
    const { connection } = await server.nextFrame("message.send");
    connection.terminate();
    await expect(handle.done).rejects.toMatchObject({ code: "connection_lost" });
    expect(client.state.status).toBe("closed");
  });
});
