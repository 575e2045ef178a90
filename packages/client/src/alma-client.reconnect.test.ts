import { afterEach, describe, expect, it } from "vitest";
import type { RunEvent } from "@alma/protocol";
import type { ConnectionState } from "./connection-state.js";
import { scriptedRunEvents } from "./testing/index.js";
import { collect, folded, realServerHarness } from "./testing/real-server-harness.js";

const harness = realServerHarness();
const { setup } = harness;
afterEach(() => harness.cleanup());

describe("AlmaClient reconnect", () => {
  it("reconnects with backoff and resumes a followed run with no gap and no duplicate", async () => {
    const { server, client } = await setup();
    await client.connect(server.url);
    const states: ConnectionState[] = [];
    client.on("state", (s) => states.push(s));
    const handle = client.send("tell me");
    const first = await server.nextFrame("message.send");
    const events = scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: ["a", "b", "c", "d", "e", "f"] });
    first.connection.send({
      type: "message.accepted",
      clientMessageId: first.frame.clientMessageId,
      conversationId: "c1",
      userMessageId: "u1",
      runId: "r1",
      duplicate: false,
    });
    for (const event of events.slice(0, 4)) first.connection.send(event);
    // wait until the client has index 3, then cut the connection
    await new Promise<void>((resolve) => {
      const off = client.on("run.token", (e) => {
        if (e.index !== 3) return;
        off();
        resolve();
      });
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
    second.connection.send({
      type: "message.accepted",
      clientMessageId: second.frame.clientMessageId,
      conversationId: "c1",
      userMessageId: "u1",
      runId: "r1",
      duplicate: true,
    });
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
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
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
            connection.send({
              type: "message.accepted",
              clientMessageId: frame.clientMessageId,
              conversationId: "c1",
              userMessageId: "u1",
              runId: "r1",
              duplicate: false,
            });
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
    again.connection.send({
      type: "error",
      code: "not_found",
      message: "That run has ended; load the history.",
      retryable: false,
      frameType: "run.resume",
      runId: "r3",
    });
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
