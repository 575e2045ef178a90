import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { AlmaClient } from "./alma-client.js";
import { AlmaClientError } from "./alma-client-error.js";
import type { ConnectionState } from "./connection-state.js";
import { realServerHarness } from "./testing/real-server-harness.js";

const harness = realServerHarness();
const { setup, clients, servers } = harness;
afterEach(() => harness.cleanup());

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
    connection.send({
      type: "error",
      code: "not_found",
      message: "No conversation c3.",
      retryable: false,
      requestId: p.frame.requestId,
      frameType: "memory.pin",
    });
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
