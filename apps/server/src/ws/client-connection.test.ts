import { afterEach, describe, expect, it } from "vitest";
import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";
import { ScriptedChatModel } from "@alma/llm";
import { buildApp } from "../build-app.js";
import { testConfig } from "../testing/test-config.js";
import { WsTestClient } from "../testing/ws-test-client.js";

let app: FastifyInstance | undefined;
let client: WsTestClient | undefined;
afterEach(async () => {
  client?.terminate();
  await app?.close();
  app = client = undefined;
});

/** counts the raw socket's writes: `_write` is one syscall per frame, `_writev` one for everything corked */
function countWrites(raw: Socket) {
  const counts = { write: 0, writev: 0, chunks: 0 };
  const target = raw as unknown as { _write: (...a: unknown[]) => void; _writev: (chunks: unknown[], cb: unknown) => void };
  const write = target._write.bind(raw);
  const writev = target._writev.bind(raw);
  target._write = (...a) => {
    counts.write++;
    write(...a);
  };
  target._writev = (chunks, cb) => {
    counts.writev++;
    counts.chunks += chunks.length;
    writev(chunks, cb);
  };
  return counts;
}

describe("ClientConnection.send", () => {
  it("sends the frames of one tick in one write, all of them before the next tick ends, in order", async () => {
    app = await buildApp({ config: testConfig(), model: new ScriptedChatModel() });
    const url = `${(await app.listen({ host: "127.0.0.1", port: 0 })).replace("http", "ws")}/ws`;
    client = await WsTestClient.connect(url);
    const connection = [...app.alma.connections][0]!;
    const raw = (connection as unknown as { o: { socket: { _socket: Socket } } }).o.socket._socket;
    const counts = countWrites(raw);

    for (let at = 1; at <= 5; at++) connection.send({ type: "pong", at, serverTime: at });
    // queued, counted for backpressure, not yet written
    expect(raw.writableCorked).toBe(1);
    expect(connection.bufferedAmount).toBeGreaterThan(0);
    await new Promise<void>((resolve) => process.nextTick(resolve));
    expect(raw.writableCorked).toBe(0);
    expect(counts).toMatchObject({ write: 0, writev: 1 });
    expect(counts.chunks).toBeGreaterThanOrEqual(5);

    await client.waitFor("pong", (f) => f.at === 5);
    expect(client.of("pong").map((f) => f.at)).toEqual([1, 2, 3, 4, 5]);

    // a later tick corks anew
    connection.send({ type: "pong", at: 6, serverTime: 6 });
    await new Promise<void>((resolve) => process.nextTick(resolve));
    expect(raw.writableCorked).toBe(0);
    await client.waitFor("pong", (f) => f.at === 6);
  });
});
