import { afterEach, describe, expect, it } from "vitest";
import { AlmaClientError } from "./alma-client-error.js";
import { scriptedRunEvents } from "./testing/index.js";
import { collect, folded, realServerHarness } from "./testing/real-server-harness.js";

const harness = realServerHarness();
const { setup } = harness;
afterEach(() => harness.cleanup());

describe("AlmaClient runs", () => {
  it("sends a message, matches the ack and yields the run's events until completion", async () => {
    const { server, client } = await setup();
    await client.connect(server.url);
    const handle = client.send("hello there", { options: { taskType: "conversational" } });
    const { frame, connection } = await server.nextFrame("message.send");
    expect(frame.content).toBe("hello there");
    expect(frame.clientMessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(frame.options.taskType).toBe("conversational");
    connection.send({
      type: "message.accepted",
      clientMessageId: frame.clientMessageId,
      conversationId: "c1",
      userMessageId: "u1",
      runId: "r1",
      duplicate: false,
    });
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
    connection.send({
      type: "message.accepted",
      clientMessageId: frame.clientMessageId,
      conversationId: "c1",
      userMessageId: "u1",
      runId: "r9",
      duplicate: false,
    });
    const stop = await server.nextFrame("run.stop");
    expect(stop.frame.runId).toBe("r9");
    for (const event of scriptedRunEvents({
      runId: "r9",
      conversationId: "c1",
      tokens: ["a"],
      error: { code: "provider_unavailable", message: "The provider is down; try again." },
    })) {
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
    connection.send({
      type: "error",
      code: "model_not_ready",
      message: "No model is ready.",
      retryable: true,
      frameType: "message.send",
      clientMessageId: frame.clientMessageId,
    });
    await expect(handle.done).rejects.toMatchObject({ code: "model_not_ready" });
    await expect(collect(handle)).rejects.toBeInstanceOf(AlmaClientError);
  });

  it("sends the attachments a message carries, and none when it carries none", async () => {
    const { server, client } = await setup();
    await client.connect(server.url);
    client.send("read these", { conversationId: "c1", attachmentIds: ["a1", "a2"] });
    expect((await server.nextFrame("message.send")).frame.attachmentIds).toEqual(["a1", "a2"]);
    client.send("no files");
    expect((await server.nextFrame("message.send")).frame.attachmentIds).toEqual([]);
  });

  it("refuses more attachments than a message may carry, before sending", async () => {
    const { client, server } = await setup();
    await client.connect(server.url);
    const ids = Array.from({ length: 11 }, (_, i) => `a${i}`);
    expect(() => client.send("too many", { conversationId: "c1", attachmentIds: ids })).toThrow(/at most 10 attachments/);
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
    connection.send({
      type: "message.accepted",
      clientMessageId: frame.clientMessageId,
      conversationId: "c1",
      userMessageId: "u2",
      runId: "r2",
      duplicate: false,
    });
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
    connection.send({
      type: "message.accepted",
      clientMessageId: frame.clientMessageId,
      conversationId: "c1",
      userMessageId: "u1",
      runId: "r3",
      duplicate: false,
    });
    for (const event of events.slice(2)) connection.send(event);
    expect(folded(await collect(handle)).answer).toBe("early late");
  });

  it("hands a whole run that ended before the ack to the handle", async () => {
    const { server, client } = await setup();
    await client.connect(server.url);
    const handle = client.send("hi");
    const { frame, connection } = await server.nextFrame("message.send");
    for (const event of scriptedRunEvents({ runId: "r4", conversationId: "c1", tokens: ["all", " early"] })) connection.send(event);
    connection.send({
      type: "message.accepted",
      clientMessageId: frame.clientMessageId,
      conversationId: "c1",
      userMessageId: "u1",
      runId: "r4",
      duplicate: false,
    });
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
    connection.send({
      type: "message.accepted",
      clientMessageId: frame.clientMessageId,
      conversationId: "c1",
      userMessageId: "u1",
      runId: "r5",
      duplicate: false,
    });
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
    connection.send({
      type: "message.accepted",
      clientMessageId: frame.clientMessageId,
      conversationId: "c1",
      userMessageId: "u1",
      runId: "r6",
      duplicate: false,
    });
    const resume = await server.nextFrame("run.resume");
    resume.connection.send({
      type: "error",
      code: "not_found",
      message: "That run has ended; load the history.",
      retryable: false,
      frameType: "run.resume",
      runId: "r6",
    });
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
    a.connection.send({
      type: "message.accepted",
      clientMessageId: a.frame.clientMessageId,
      conversationId: "c1",
      userMessageId: "u1",
      runId: "ra",
      duplicate: false,
    });
    b.connection.send({
      type: "message.accepted",
      clientMessageId: b.frame.clientMessageId,
      conversationId: "c2",
      userMessageId: "u2",
      runId: "rb",
      duplicate: false,
    });
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
