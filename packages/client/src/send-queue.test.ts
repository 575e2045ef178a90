import { afterEach, describe, expect, it } from "vitest";
import type { ClientFrame } from "@alma/protocol";
import { AlmaClient, type AlmaClientOptions } from "./alma-client.js";
import { AlmaClientError } from "./alma-client-error.js";
import { fakeSockets, type FakeSocket } from "./testing/index.js";

// a socket the test drives by hand: "sent while connecting" is a state the test holds for as long as it likes
const sockets = fakeSockets();

const clients: AlmaClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  sockets.all.length = 0;
});

function makeClient(options: AlmaClientOptions = {}): AlmaClient {
  let n = 0;
  const client = new AlmaClient({
    WebSocket: sockets.WebSocket,
    createId: () => `id-${++n}`,
    reconnect: { initialDelayMs: 1, maxDelayMs: 2, jitter: 0 },
    ...options,
  });
  clients.push(client);
  return client;
}

/** lets the client's promise continuations (the handshake's) run */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const sends = (socket: FakeSocket) => socket.frames.filter((f): f is Extract<ClientFrame, { type: "message.send" }> => f.type === "message.send");

describe("AlmaClient send queue (a fake socket)", () => {
  it("holds messages sent while connecting and sends each exactly once, in order, when the connection opens", async () => {
    const client = makeClient();
    const connected = client.connect("ws://alma.test/ws");
    expect(client.state.status).toBe("connecting");
    const first = client.send("Summer rain 1");
    const second = client.send("Summer rain 2", { conversationId: "c1" });
    const socket = sockets.last();
    expect(socket.sent).toEqual([]);

    socket.open();
    // the socket is up but the handshake is not done: still queued, only hello went out
    expect(socket.sent.map((f) => f.type)).toEqual(["hello"]);
    const third = client.send("Summer rain 3", { conversationId: "c1" });
    expect(socket.sent.map((f) => f.type)).toEqual(["hello"]);

    socket.welcome();
    await connected;
    expect(client.state.status).toBe("open");
    expect(sends(socket).map((f) => f.content)).toEqual(["Summer rain 1", "Summer rain 2", "Summer rain 3"]);
    expect(sends(socket).map((f) => f.clientMessageId)).toEqual([first.clientMessageId, second.clientMessageId, third.clientMessageId]);
    expect(sends(socket).map((f) => f.conversationId)).toEqual([null, "c1", "c1"]);

    // nothing goes out twice: not on later sends, not when acks and events arrive
    client.send("Summer rain 4", { conversationId: "c1" });
    socket.reply({
      type: "message.accepted",
      clientMessageId: first.clientMessageId,
      conversationId: "c9",
      userMessageId: "u1",
      runId: "r1",
      duplicate: false,
    });
    await settle();
    expect(sends(socket).map((f) => f.content)).toEqual(["Summer rain 1", "Summer rain 2", "Summer rain 3", "Summer rain 4"]);
    expect(await first.runId).toBe("r1");
  });

  it("with retry, keeps what was sent while the first attempts fail and sends it once the server is up", async () => {
    const client = makeClient();
    const states: string[] = [];
    client.on("state", (s) => states.push(s.status));
    const connected = client.connect("ws://alma.test/ws", { retry: true });
    const handle = client.send("Summer rain 1");
    sockets.last().fail();
    await until(() => sockets.all.length === 2, "the second attempt");
    expect(client.state.status).toBe("connecting");
    // still usable between attempts: this one queues too
    const later = client.send("Summer rain 2", { conversationId: "c1" });
    sockets.last().fail();
    await until(() => sockets.all.length === 3, "the third attempt");

    const socket = sockets.last();
    socket.open();
    socket.welcome();
    const welcome = await connected;
    expect(welcome.type).toBe("welcome");
    expect(states).toEqual(["connecting", "reconnecting", "connecting", "reconnecting", "connecting", "open"]);
    expect(sockets.all.slice(0, 2).every((s) => s.sent.length === 0)).toBe(true);
    expect(sends(socket).map((f) => [f.content, f.clientMessageId])).toEqual([
      ["Summer rain 1", handle.clientMessageId],
      ["Summer rain 2", later.clientMessageId],
    ]);
  });

  it("without retry, a failed first connect fails what was queued, saying it was not sent", async () => {
    const client = makeClient();
    const connected = client.connect("ws://alma.test/ws");
    const handle = client.send("Summer rain 1");
    sockets.last().fail();
    await expect(connected).rejects.toMatchObject({ code: "connection_failed" });
    await expect(handle.done).rejects.toMatchObject({
      code: "connection_failed",
      message: expect.stringMatching(/^The message was not sent: cannot connect to ws:\/\/alma\.test\/ws/),
    });
  });

  it("fails queued messages with a clear error when the connection fails for good, and refuses new ones", async () => {
    const client = makeClient();
    const connected = client.connect("ws://alma.test/ws", { retry: true });
    const handle = client.send("Summer rain 1");
    const socket = sockets.last();
    socket.open();
    socket.reply({ type: "error", code: "unauthorized", message: "This server needs an access token.", retryable: false, frameType: "hello" });
    await expect(connected).rejects.toMatchObject({ code: "unauthorized" });
    expect(client.state.status).toBe("closed");
    const failure = await handle.done.catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AlmaClientError);
    expect(failure).toMatchObject({ code: "unauthorized", message: "The message was not sent: this server needs an access token." });
    // no retry after a fatal handshake error, and nothing was written
    await settle();
    expect(sockets.all).toHaveLength(1);
    expect(socket.frames).toEqual([]);

    let thrown: unknown;
    try {
      client.send("Summer rain 2");
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(AlmaClientError);
    expect(thrown).toMatchObject({
      code: "not_connected",
      message: "Not sent: the connection to ws://alma.test/ws failed for good (This server needs an access token). Connect again to send.",
    });
  });

  it("gives up after maxAttempts and fails the queued messages, naming the last error", async () => {
    const client = makeClient({ reconnect: { initialDelayMs: 1, maxDelayMs: 2, jitter: 0, maxAttempts: 2 } });
    const connected = client.connect("ws://alma.test/ws", { retry: true });
    const handle = client.send("Summer rain 1");
    sockets.last().fail();
    await until(() => sockets.all.length === 2, "the second attempt");
    sockets.last().fail();
    await until(() => sockets.all.length === 3, "the third attempt");
    sockets.last().fail();
    await expect(connected).rejects.toMatchObject({
      code: "connection_lost",
      message: expect.stringContaining("Gave up connecting to ws://alma.test/ws after 2 attempts"),
    });
    await expect(handle.done).rejects.toMatchObject({ message: expect.stringMatching(/^The message was not sent: gave up connecting/) });
    expect(client.state.status).toBe("closed");
    expect(() => client.send("again")).toThrow(/failed for good/);
  });

  it("refuses a send before connect() with not_connected", () => {
    const client = makeClient();
    expect(() => client.send("too early")).toThrow(expect.objectContaining({ code: "not_connected" }));
  });

  it("a message sent before a dropped connection and not acknowledged is resent once with the same id", async () => {
    const client = makeClient();
    const connected = client.connect("ws://alma.test/ws");
    const first = sockets.last();
    first.open();
    first.welcome();
    await connected;
    const handle = client.send("Summer rain 1");
    expect(sends(first)).toHaveLength(1);
    first.fail();
    const queuedMeanwhile = client.send("Summer rain 2", { conversationId: "c1" });
    await until(() => sockets.all.length === 2, "the reconnect");
    const second = sockets.last();
    second.open();
    second.welcome();
    await until(() => client.state.status === "open", "the reconnect to open");
    expect(sends(second).map((f) => [f.content, f.clientMessageId])).toEqual([
      ["Summer rain 1", handle.clientMessageId],
      ["Summer rain 2", queuedMeanwhile.clientMessageId],
    ]);
  });
});
