import { afterEach, describe, expect, it } from "vitest";
import type { ClientFrame } from "@alma/protocol";
import { AlmaClient } from "./alma-client.js";
import { fakeSockets, scriptedRunEvents, type FakeSocket } from "./testing/index.js";

const sockets = fakeSockets();
const clients: AlmaClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  sockets.all.length = 0;
});

async function openClient(): Promise<{ client: AlmaClient; socket: FakeSocket }> {
  let n = 0;
  const client = new AlmaClient({ WebSocket: sockets.WebSocket, createId: () => `id-${++n}`, reconnect: false });
  clients.push(client);
  const connected = client.connect("ws://alma.test/ws");
  const socket = sockets.last();
  socket.open();
  socket.welcome();
  await connected;
  return { client, socket };
}

/** whether a promise has settled, after the microtasks queued so far */
async function status(promise: Promise<unknown>): Promise<"pending" | "resolved" | "rejected"> {
  let result: "pending" | "resolved" | "rejected" = "pending";
  promise.then(
    () => (result = "resolved"),
    () => (result = "rejected"),
  );
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return result;
}

const framesOf = <T extends ClientFrame["type"]>(socket: FakeSocket, type: T) =>
  socket.frames.filter((f): f is Extract<ClientFrame, { type: T }> => f.type === type);

const error = (fields: Record<string, unknown>) => ({ type: "error", code: "not_found", message: "Refused.", retryable: false, ...fields });

describe("RequestRegistry: an error reaches exactly the request it names", () => {
  it("an error naming the second of two pending sends by clientMessageId fails only the second", async () => {
    const { client, socket } = await openClient();
    const first = client.send("one");
    const second = client.send("two", { conversationId: "c1" });
    socket.reply(error({ code: "conflict", message: "An answer is still being written.", frameType: "message.send", clientMessageId: second.clientMessageId }));
    await expect(second.done).rejects.toMatchObject({ code: "conflict", message: "An answer is still being written." });
    expect(await status(first.done)).toBe("pending");
    // the first still gets its ack and its run
    socket.reply({
      type: "message.accepted",
      clientMessageId: first.clientMessageId,
      conversationId: "c9",
      userMessageId: "u1",
      runId: "r1",
      duplicate: false,
    });
    for (const event of scriptedRunEvents({ runId: "r1", conversationId: "c9", tokens: ["ok"] })) socket.reply(event);
    expect((await first.done).type).toBe("run.completed");
    expect(first.state).toMatchObject({ text: "ok", conversationId: "c9", status: "complete" });
  });

  it("an error naming a clientMessageId nothing waits for fails nothing", async () => {
    const { client, socket } = await openClient();
    const pending = client.send("one");
    socket.reply(error({ frameType: "message.send", clientMessageId: "someone-else" }));
    socket.reply(error({ frameType: "message.send" }));
    expect(await status(pending.done)).toBe("pending");
  });

  it("an error with a requestId rejects only that request", async () => {
    const { client, socket } = await openClient();
    const send = client.send("one");
    const list = client.listConversations();
    const history = client.history("c1");
    const [listFrame] = framesOf(socket, "conversation.list");
    const [historyFrame] = framesOf(socket, "conversation.history");
    socket.reply(error({ message: "No conversation c1.", frameType: "conversation.history", requestId: historyFrame!.requestId }));
    await expect(history).rejects.toMatchObject({ code: "not_found", message: "No conversation c1." });
    expect(await status(list)).toBe("pending");
    expect(await status(send.done)).toBe("pending");
    socket.reply({ type: "conversation.list.result", requestId: listFrame!.requestId, conversations: [] });
    expect(await list).toEqual([]);
  });

  it("an error naming a runId (a refused resume) fails only that run's handle", async () => {
    const { client, socket } = await openClient();
    const a = client.resume("ra", -1);
    const b = client.resume("rb", -1);
    expect(framesOf(socket, "run.resume").map((f) => f.runId)).toEqual(["ra", "rb"]);
    socket.reply(error({ message: "Run rb has ended.", frameType: "run.resume", runId: "rb" }));
    await expect(b.done).rejects.toMatchObject({ message: "Run rb has ended." });
    expect(await status(a.done)).toBe("pending");
    for (const event of scriptedRunEvents({ runId: "ra", conversationId: "c1", tokens: ["still", " here"] })) socket.reply(event);
    expect(a.state).toMatchObject({ text: "still here", status: "complete" });
  });

  it("a refused run.stop (the run had ended) fails nothing: the run's own end reaches its handle", async () => {
    const { client, socket } = await openClient();
    const handle = client.resume("r1", -1);
    handle.stop();
    socket.reply(error({ message: "That run is not running any more.", frameType: "run.stop", runId: "r1" }));
    expect(await status(handle.done)).toBe("pending");
    for (const event of scriptedRunEvents({ runId: "r1", conversationId: "c1", tokens: ["a"], finishReason: "stopped" })) socket.reply(event);
    expect((await handle.done).type).toBe("run.completed");
  });

  it("run.regenerate and run.continue carry no id: an error of that type fails the oldest of that kind only", async () => {
    const { client, socket } = await openClient();
    const send = client.send("one", { conversationId: "c1" });
    const regenerate = client.regenerate("c1");
    const continued = client.continue("c2", "m2");
    const later = client.regenerate("c3");
    socket.reply(error({ code: "conflict", message: "Busy.", frameType: "run.regenerate" }));
    await expect(regenerate.done).rejects.toMatchObject({ code: "conflict" });
    for (const handle of [send, continued, later]) expect(await status(handle.done)).toBe("pending");
    // the later regenerate still binds to its conversation's run.started
    for (const event of scriptedRunEvents({ runId: "r3", conversationId: "c3", tokens: ["x"] })) socket.reply(event);
    expect(await later.runId).toBe("r3");
    expect(later.state?.text).toBe("x");
  });

  it("a fell-behind notice naming a run resumes only that run, from the last index it has", async () => {
    const { client, socket } = await openClient();
    const a = client.resume("ra", -1);
    client.resume("rb", -1);
    const [first] = scriptedRunEvents({ runId: "ra", conversationId: "c1", tokens: ["a"] });
    socket.reply(first!);
    socket.reply({ type: "error", code: "stream_interrupted", message: "This connection fell too far behind run ra.", retryable: true, runId: "ra" });
    expect(framesOf(socket, "run.resume").map((f) => [f.runId, f.afterIndex])).toEqual([
      ["ra", -1],
      ["rb", -1],
      ["ra", 0],
    ]);
    expect(a.finished).toBe(false);
  });
});
