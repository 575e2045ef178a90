import { afterEach, describe, expect, it } from "vitest";
import { foldRunEvents } from "@alma/protocol";
import { AlmaClient } from "./alma-client.js";
import type { RunHandle } from "./run-handle.js";
import { fakeSockets, scriptedRunEvents } from "./testing/index.js";

const clients: AlmaClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

describe('RunFollower and on("run"): every run the client follows gets a handle, once', () => {
  const sockets = fakeSockets();
  afterEach(() => {
    sockets.all.length = 0;
  });

  async function open(reconnect = false) {
    let n = 0;
    const client = new AlmaClient({ WebSocket: sockets.WebSocket, createId: () => `id-${++n}`, reconnect: reconnect && { initialDelayMs: 0, maxDelayMs: 0 } });
    clients.push(client);
    const announced: { handle: RunHandle; lastIndex: number | undefined }[] = [];
    client.on("run", (handle) => announced.push({ handle, lastIndex: handle.state?.lastIndex }));
    const connected = client.connect("ws://alma.test/ws");
    sockets.last().open();
    sockets.last().welcome();
    await connected;
    return { client, socket: sockets.last(), announced };
  }
  const accepted = (clientMessageId: string, runId: string, conversationId = "c1") =>
    ({ type: "message.accepted", clientMessageId, conversationId, userMessageId: "u1", runId, duplicate: false }) as const;

  it("a run.started nobody here asked for (another tab's) gets a handle of its own, announced before its first event", async () => {
    const { socket, announced } = await open();
    const events = scriptedRunEvents({ runId: "rx", conversationId: "c1", tokens: ["from", " elsewhere"] });
    for (const event of events) socket.reply(event);
    expect(announced).toHaveLength(1);
    const [{ handle, lastIndex }] = announced as [{ handle: RunHandle; lastIndex: number }];
    expect(lastIndex).toBe(-1);
    expect(handle.clientMessageId).toBeNull();
    expect(handle.currentRunId).toBe("rx");
    expect(handle.state).toEqual(foldRunEvents({ runId: "rx" }, events));
    expect(handle.state).toMatchObject({ conversationId: "c1", assistantMessageId: "assistant-1", text: "from elsewhere" });
  });

  it("announces the app's own handles once: a send at its ack, a regenerate at its run.started, a resume at once", async () => {
    const { client, socket, announced } = await open();
    const sent = client.send("hi");
    expect(announced).toHaveLength(0);
    socket.reply(accepted(sent.clientMessageId!, "r1"));
    expect(announced.map((a) => [a.handle, a.lastIndex])).toEqual([[sent, -1]]);
    for (const event of scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: ["a"] })) socket.reply(event);
    const regenerated = client.regenerate("c1");
    for (const event of scriptedRunEvents({ runId: "r2", conversationId: "c1", tokens: ["b"] })) socket.reply(event);
    const resumed = client.resume("r3", 4);
    expect(announced.map((a) => a.handle)).toEqual([sent, regenerated, resumed]);
    expect(regenerated.state?.text).toBe("b");
  });

  it("events that come before their ack wait for it: one handle, the send's, with every event", async () => {
    const { client, socket, announced } = await open();
    const sent = client.send("hi");
    const events = scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: ["early", " late"] });
    socket.reply(events[0]!);
    socket.reply(events[1]!);
    expect(announced).toHaveLength(0);
    socket.reply(accepted(sent.clientMessageId!, "r1"));
    for (const event of events.slice(2)) socket.reply(event);
    expect(announced.map((a) => a.handle)).toEqual([sent]);
    expect(sent.state).toEqual(foldRunEvents({ runId: "r1" }, events));
  });

  it("a run of another conversation than the pending send's is another tab's at once", async () => {
    const { client, socket, announced } = await open();
    const sent = client.send("hi", { conversationId: "c1" });
    socket.reply(scriptedRunEvents({ runId: "rx", conversationId: "c2", tokens: [] })[0]!);
    expect(announced).toHaveLength(1);
    expect(announced[0]!.handle).not.toBe(sent);
  });

  it("a run held for a new conversation's send is another tab's once the ack names another run, or the send fails", async () => {
    const { client, socket, announced } = await open();
    const sent = client.send("hi");
    const other = client.send("again");
    const foreign = scriptedRunEvents({ runId: "rx", conversationId: "c2", tokens: ["x", "y"] });
    for (const event of foreign.slice(0, 2)) socket.reply(event);
    socket.reply(accepted(sent.clientMessageId!, "r1", "c1"));
    expect(announced.map((a) => a.handle.currentRunId)).toEqual(["r1"]);
    socket.reply({
      type: "error",
      code: "rate_limited",
      message: "Slow down.",
      retryable: true,
      frameType: "message.send",
      clientMessageId: other.clientMessageId,
    });
    expect(announced.map((a) => a.handle.currentRunId)).toEqual(["r1", "rx"]);
    for (const event of foreign.slice(2)) socket.reply(event);
    expect(announced[1]!.handle.state).toEqual(foldRunEvents({ runId: "rx" }, foreign));
  });

  it("another tab's run is followed across a reconnect, and its handle can stop it", async () => {
    const { socket, announced } = await open(true);
    const events = scriptedRunEvents({ runId: "rx", conversationId: "c1", tokens: ["a", "b", "c"] });
    for (const event of events.slice(0, 3)) socket.reply(event);
    const handle = announced[0]!.handle;
    socket.fail();
    for (let i = 0; i < 100 && sockets.all.length < 2; i++) await new Promise((r) => setTimeout(r, 1));
    const again = sockets.last();
    again.open();
    again.welcome();
    await new Promise((r) => setTimeout(r, 0));
    expect(again.frames).toEqual([{ type: "run.resume", runId: "rx", afterIndex: 2 }]);
    handle.stop();
    expect(again.frames.at(-1)).toEqual({ type: "run.stop", runId: "rx" });
    for (const event of events.slice(1)) again.reply(event);
    expect(handle.events.map((e) => e.index)).toEqual(events.map((e) => e.index));
    expect(announced).toHaveLength(1);
  });
});
