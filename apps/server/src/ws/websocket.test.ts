import { describe, expect, it } from "vitest";
import { ScriptedChatModel } from "@alma/llm";
import { buildApp, type BuildAppOptions } from "../build-app.js";
import { testConfig } from "../testing/test-config.js";
import { WsTestClient } from "../testing/ws-test-client.js";
import { useTestResources } from "../testing/use-test-resources.js";

const { apps, clients } = useTestResources();

async function start(opts: Partial<BuildAppOptions> & { env?: Record<string, string> } = {}) {
  const { env, ...rest } = opts;
  const app = await buildApp({ config: testConfig(env), model: new ScriptedChatModel(), ...rest });
  apps.push(app);
  const address = await app.listen({ host: "127.0.0.1", port: 0 });
  const url = `${address.replace("http", "ws")}/ws`;
  const connect = async (o: Parameters<typeof WsTestClient.connect>[1] = {}) => {
    const c = await WsTestClient.connect(url, o);
    clients.push(c);
    return c;
  };
  return { app, url, connect };
}

describe("WebSocket /ws: the handshake, the socket's guards and its heartbeat", () => {
  it("requires the handshake first and refuses a wrong protocol version", async () => {
    const { connect } = await start();
    const c = await connect({ hello: false });
    c.send({ type: "ping" });
    await c.waitFor("error", (e) => e.code === "handshake_required");
    c.send({ type: "hello", protocolVersion: 999 });
    await c.waitFor("error", (e) => e.code === "unsupported_version");
    expect(await c.waitClosed()).toBe(1002);
  });

  it("checks the access token in the hello when one is set", async () => {
    const token = "a-long-enough-token-123";
    const { connect } = await start({ env: { ALMA_AUTH_TOKEN: token } });
    const bad = await connect({ hello: false });
    bad.send({ type: "hello", protocolVersion: 1, token: "nope" });
    await bad.waitFor("error", (e) => e.code === "unauthorized");
    expect(await bad.waitClosed()).toBe(1008);
    const good = await connect({ token });
    expect(good.of("welcome")).toHaveLength(1);
  });

  it("refuses an Origin outside the allow-list at the upgrade and accepts listed ones", async () => {
    const { url, connect } = await start();
    // accepted only to be closed at once (1008), so a page can read why; never welcomed
    await expect(WsTestClient.connect(url, { origin: "https://evil.example" })).rejects.toThrow("socket closed (1008) before a welcome frame");
    const ok = await connect({ origin: "http://localhost:3000" });
    expect(ok.of("welcome")[0]!.limits.maxFrameBytes).toBe(1024 * 1024);
  });

  it("answers bad frames with typed errors and stays usable", async () => {
    const { connect } = await start();
    const c = await connect();
    c.sendRaw("{not json");
    await c.waitFor("error", (e) => e.code === "invalid_json");
    c.send({ type: "launch.rockets", requestId: "r1" });
    const unknown = await c.waitFor("error", (e) => e.requestId === "r1");
    expect(unknown.code).toBe("invalid_frame");
    c.send({ type: "message.send", clientMessageId: "m", content: 42 } as Record<string, unknown>);
    const wrong = await c.waitFor("error", (e) => e.frameType === "message.send");
    expect(wrong.issues?.[0]?.path).toBe("content");
    c.send({ type: "conversation.history", requestId: "h1", conversationId: "missing" });
    expect((await c.waitFor("error", (e) => e.requestId === "h1")).code).toBe("not_found");
    c.send({ type: "ping", at: 5 });
    expect(await c.waitFor("pong")).toMatchObject({ at: 5 });
    expect(c.closeCode).toBeNull();
  });

  it("closes on binary frames (1003), invalid UTF-8 (1007) and oversized frames (1009)", async () => {
    const { connect } = await start({ env: { ALMA_MAX_FRAME_BYTES: "2048" } });
    const bin = await connect();
    bin.sendRaw(Buffer.from([1, 2, 3]), true);
    expect(await bin.waitClosed()).toBe(1003);
    const big = await connect();
    big.sendRaw(JSON.stringify({ type: "ping", pad: "x".repeat(5000) }));
    expect(await big.waitClosed()).toBe(1009);
    const badText = await connect();
    badText.sendRaw(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), false);
    expect(await badText.waitClosed()).toBe(1007);
  });

  it("refuses connections past the maximum with a typed error and close 1013", async () => {
    const { url, connect } = await start({ env: { ALMA_MAX_CONNECTIONS: "1" } });
    await connect();
    const second = await WsTestClient.connect(url, { hello: false });
    clients.push(second);
    expect((await second.waitFor("error")).code).toBe("too_many_connections");
    expect(await second.waitClosed()).toBe(1013);
  });

  it("closes a socket that sends no hello in time (1008)", async () => {
    const { connect } = await start({ env: { ALMA_HANDSHAKE_TIMEOUT_MS: "150" } });
    const c = await connect({ hello: false });
    expect(await c.waitClosed()).toBe(1008);
  });

  it("terminates a socket that stops answering pings, so its runs wait for a resume", async () => {
    const { app, connect } = await start({ env: { ALMA_HEARTBEAT_MS: "100" } });
    const c = await connect();
    expect(app.alma.metrics.connections).toBe(1);
    // a vanished peer: it neither reads nor answers pings
    (c.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    await expect.poll(() => app.alma.metrics.connections, { timeout: 3000 }).toBe(0);
  });
});
