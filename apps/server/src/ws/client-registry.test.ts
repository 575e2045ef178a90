import { describe, expect, it } from "vitest";
import type { ServerFrame } from "@alma/protocol";
import type { ClientConnection } from "./client-connection.js";
import { ClientRegistry } from "./client-registry.js";

function fakeClient(id: string, isWelcomed = true) {
  const got: ServerFrame[] = [];
  return { client: { id, isWelcomed, send: (f: ServerFrame) => got.push(f) } as unknown as ClientConnection, got };
}

const frame: ServerFrame = { type: "pong", serverTime: 1 };

describe("ClientRegistry", () => {
  it("broadcasts to every handshaken client, or to those the filter picks", () => {
    const clients = new ClientRegistry();
    const a = fakeClient("a");
    const b = fakeClient("b");
    const shy = fakeClient("shy", false);
    for (const c of [a, b, shy]) clients.add(c.client);
    expect(clients.size).toBe(3);

    clients.broadcast(frame);
    expect([a.got.length, b.got.length, shy.got.length]).toEqual([1, 1, 0]);

    clients.broadcast(frame, (c) => c === b.client);
    expect([a.got.length, b.got.length, shy.got.length]).toEqual([1, 2, 0]);
    // a filter never reaches a client that has not said hello
    clients.broadcast(frame, () => true);
    expect(shy.got).toEqual([]);
  });

  it("stops reaching a client once it is removed", () => {
    const clients = new ClientRegistry();
    const a = fakeClient("a");
    clients.add(a.client);
    clients.delete(a.client);
    clients.broadcast(frame);
    expect(a.got).toEqual([]);
    expect([...clients]).toEqual([]);
  });
});
