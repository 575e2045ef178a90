import { afterEach, describe, expect, it } from "vitest";
import { AlmaClient } from "./alma-client.js";
import type { ConnectionState } from "./connection-state.js";
import { fakeSockets } from "./testing/index.js";

const sockets = fakeSockets();
const clients: AlmaClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  sockets.all.length = 0;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("ClientSocket heartbeat", () => {
  it("pings a quiet server, and counts the connection as lost (then reconnects) when it stays silent", async () => {
    const client = new AlmaClient({ WebSocket: sockets.WebSocket, heartbeatMs: 40, reconnect: { initialDelayMs: 0, maxDelayMs: 0 } });
    clients.push(client);
    const states: ConnectionState[] = [];
    client.on("state", (s) => states.push(s));
    const connected = client.connect("ws://alma.test/ws");
    const socket = sockets.last();
    socket.open();
    socket.welcome();
    await connected;

    await sleep(60);
    expect(socket.frames.some((f) => f.type === "ping")).toBe(true);
    // a pong (any frame) is heard: the connection stays
    socket.reply({ type: "pong", serverTime: 1 });
    await sleep(30);
    expect(socket.closedWith).toBeNull();

    // silence for twice the interval: the socket is dropped without waiting for a close event, and the client reconnects
    await sleep(150);
    expect(socket.closedWith).toMatchObject({ code: 4000 });
    expect(states.find((s) => s.status === "reconnecting")).toMatchObject({ lastError: expect.stringMatching(/sent nothing for \d+ ms/) });
    expect(sockets.all.length).toBeGreaterThanOrEqual(2);
  });

  it("is off by default: no ping however quiet the server is", async () => {
    const client = new AlmaClient({ WebSocket: sockets.WebSocket });
    clients.push(client);
    const connected = client.connect("ws://alma.test/ws");
    sockets.last().open();
    sockets.last().welcome();
    await connected;
    await sleep(40);
    expect(sockets.last().frames).toEqual([]);
  });
});
