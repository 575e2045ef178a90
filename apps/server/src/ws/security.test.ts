import { describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import WebSocket from "ws";
import { AlmaClient } from "@alma/client";
import { PROTOCOL_VERSION } from "@alma/protocol";
import { ScriptedChatModel } from "@alma/llm";
import { startFakeOpenAI, type FakeOpenAIServer } from "@alma/testing";
import { buildApp } from "../build-app.js";
import { testConfig } from "../testing/test-config.js";
import { WsTestClient } from "../testing/ws-test-client.js";
import { useTestResources } from "../testing/use-test-resources.js";

let fake: FakeOpenAIServer | null = null;
const { apps, clients } = useTestResources(async () => {
  await fake?.close();
  fake = null;
});

async function listen(app: FastifyInstance) {
  apps.push(app);
  const http = await app.listen({ host: "127.0.0.1", port: 0 });
  return { http, ws: `${http.replace("http", "ws")}/ws` };
}

/**
 * A socket from `origin` that, once open, says hello and asks for the conversations, as a page would: how it
 * closed, and every message it received (a refused origin must get none).
 */
async function refusedSocket(url: string, origin: string): Promise<{ code: number; reason: string; received: string[] }> {
  const socket = new WebSocket(url, { origin });
  const received: string[] = [];
  socket.on("message", (data) => received.push(data.toString()));
  socket.on("open", () => {
    socket.send(JSON.stringify({ type: "hello", protocolVersion: PROTOCOL_VERSION }));
    socket.send(JSON.stringify({ type: "conversation.list", requestId: "peek" }));
  });
  return new Promise((resolve, reject) => {
    socket.on("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    socket.on("error", reject);
    socket.on("close", (code, reason) => resolve({ code, reason: reason.toString(), received }));
  });
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const convo = { taskType: "conversational" } as const;

describe("security", () => {
  it("accepts only the origins in ALMA_ALLOWED_ORIGINS: a second, unlisted origin is refused at the upgrade", async () => {
    const app = await buildApp({
      config: testConfig({ ALMA_ALLOWED_ORIGINS: "https://chat.example.org,http://127.0.0.1:3100" }),
      model: new ScriptedChatModel(),
    });
    const { ws } = await listen(app);
    for (const origin of ["https://chat.example.org", "http://127.0.0.1:3100"]) {
      const ok = await WsTestClient.connect(ws, { origin });
      clients.push(ok);
      expect(ok.of("welcome")).toHaveLength(1);
    }
    // the default web origin is not allowed once the list is replaced; neither is a look-alike or an opaque origin.
    // Each is closed at once with 1008 and a reason naming it: nothing it sends is read, nothing but the close is sent
    for (const origin of ["http://localhost:3000", "https://chat.example.org.evil.example", "http://127.0.0.1:3101", "null"]) {
      const refused = await refusedSocket(ws, origin);
      expect(refused, origin).toEqual({ code: 1008, reason: `forbidden_origin: ${origin} is not in ALMA_ALLOWED_ORIGINS`, received: [] });
    }
    expect(app.alma.connections.size).toBe(2);
    expect(app.alma.metrics.snapshot().connections).toBe(2);
  });

  it("gives a refused origin no welcome, no frame and no connection, whatever it sends, and a reason that fits a close frame", async () => {
    const log: string[] = [];
    const app = await buildApp({
      config: testConfig({ LOG_LEVEL: "warn" }),
      model: new ScriptedChatModel(),
      logStream: { write: (line) => void log.push(line) },
    });
    const { ws } = await listen(app);
    const long = `https://${"a".repeat(120)}.example`;
    for (const origin of ["https://evil.example", long]) {
      const refused = await refusedSocket(ws, origin);
      expect(refused.code).toBe(1008);
      expect(refused.received).toEqual([]);
      // RFC 6455 caps a close reason at 123 bytes: a long origin is left out, the reason still says what to change
      expect(Buffer.byteLength(refused.reason)).toBeLessThanOrEqual(123);
      expect(refused.reason).toMatch(/^forbidden_origin: .* is not in ALMA_ALLOWED_ORIGINS$/);
    }
    expect(app.alma.connections.size).toBe(0);
    expect(log.filter((l) => l.includes("refused a WebSocket from an origin not in ALMA_ALLOWED_ORIGINS"))).toHaveLength(2);
    // clients without Origin (the CLI) and listed origins still connect
    for (const origin of [undefined, "http://localhost:3000"]) {
      const ok = await WsTestClient.connect(ws, origin ? { origin } : {});
      clients.push(ok);
      expect(ok.of("welcome")).toHaveLength(1);
    }
  });

  it("the client stops at a refused origin and says which setting refused it, instead of retrying in a loop", async () => {
    const app = await buildApp({ config: testConfig(), model: new ScriptedChatModel() });
    const { ws } = await listen(app);
    let opened = 0;
    const origin = "http://192.168.1.5:3000";
    class FromLan extends WebSocket {
      constructor(url: string) {
        super(url, { origin });
        opened++;
      }
    }
    const client = new AlmaClient({ WebSocket: FromLan, reconnect: { initialDelayMs: 1, maxDelayMs: 5 } });
    try {
      const error = await client.connect(ws, { retry: true }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "forbidden_origin", message: expect.stringContaining(`refused this page's address (${origin})`) });
      expect((error as Error).message).toContain("ALMA_ALLOWED_ORIGINS");
      expect(client.state).toMatchObject({ status: "closed", error: { code: "forbidden_origin" } });
      expect(opened).toBe(1);
    } finally {
      client.close();
    }
  });

  it("requires ALMA_AUTH_TOKEN on the socket and on the API of a listening server", async () => {
    const token = "tok-0123456789abcdef-xyz";
    const app = await buildApp({ config: testConfig({ ALMA_AUTH_TOKEN: token }), model: new ScriptedChatModel() });
    const { http, ws } = await listen(app);

    const anonymous = await WsTestClient.connect(ws, { hello: false });
    clients.push(anonymous);
    anonymous.send({ type: "hello", protocolVersion: 1 });
    expect((await anonymous.waitFor("error")).code).toBe("unauthorized");
    expect(await anonymous.waitClosed()).toBe(1008);
    // frames before a successful hello are refused, so nothing is reachable without the token
    const early = await WsTestClient.connect(ws, { hello: false });
    clients.push(early);
    early.send({ type: "conversation.list", requestId: "peek" });
    expect((await early.waitFor("error", (e) => e.requestId === "peek")).code).toBe("handshake_required");

    const allowed = await WsTestClient.connect(ws, { token });
    clients.push(allowed);
    allowed.send({ type: "conversation.list", requestId: "l" });
    await allowed.waitFor("conversation.list.result");

    expect((await fetch(`${http}/api/conversations`)).status).toBe(401);
    expect((await fetch(`${http}/api/conversations`, { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
    expect((await fetch(`${http}/api/conversations`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it("never writes the API key or the access token to the log, nor sends them to a client", async () => {
    const apiKey = "sk-proj-SECRETKEY-0123456789abcdefghij";
    const token = "access-SECRETTOKEN-9876543210";
    // the upstream fails once, echoing the (masked) key as OpenAI does, so the retry path is logged and shown too
    fake = await startFakeOpenAI({
      apiKey,
      handler: (req) => (req.attempt === 1 ? { error: { status: 503, message: `Overloaded for key ${apiKey.slice(0, 3)}*****${apiKey.slice(-4)}` } } : "fine"),
    });
    const log: string[] = [];
    const config = testConfig({
      LOG_LEVEL: "trace",
      ALMA_PROVIDER: "openai",
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: apiKey,
      ALMA_AUTH_TOKEN: token,
    });
    const app = await buildApp({ config, logStream: { write: (line) => void log.push(line) } });
    const { http, ws } = await listen(app);

    const c = await WsTestClient.connect(ws, { token });
    clients.push(c);
    const wrong = await WsTestClient.connect(ws, { hello: false });
    clients.push(wrong);
    wrong.send({ type: "hello", protocolVersion: 1, token: "not-the-token-at-all" });
    await wrong.waitClosed();

    c.send({ type: "metrics.subscribe", enabled: true });
    await c.waitFor("metrics.server");
    c.send({ type: "message.send", clientMessageId: "s1", content: "first", options: convo });
    const first = await c.waitFor("message.accepted");
    await c.waitFor("run.completed", (f) => f.runId === first.runId);
    c.send({ type: "conversation.history", requestId: "h", conversationId: first.conversationId });
    await c.waitFor("conversation.history.result");

    const auth = { headers: { authorization: `Bearer ${token}` } };
    const bodies = await Promise.all(
      [`/health`, `/metrics`, `/api/conversations`, `/api/conversations/${first.conversationId}`].map(async (p) => (await fetch(`${http}${p}`, auth)).text()),
    );
    await app.close();
    apps.splice(apps.indexOf(app), 1);

    const sent = [...c.frames.map((f) => JSON.stringify(f)), ...wrong.frames.map((f) => JSON.stringify(f)), ...bodies].join("\n");
    const logged = log.join("");
    // the capture is real: requests, the upstream failure and the run outcomes were logged
    expect(logged).toContain("GET /api/conversations 200");
    expect(logged).toContain("GET /health 200");
    expect(logged).toContain("run ended");
    expect(sent).toContain("Overloaded for key sk-*****ghij");
    for (const secret of [apiKey, token, "SECRETKEY", "SECRETTOKEN"]) {
      expect(logged, `log contains ${secret}`).not.toContain(secret);
      expect(sent, `client saw ${secret}`).not.toContain(secret);
    }
  });

  it("gives conversations, messages, runs and connections unguessable ids (UUID v4)", async () => {
    const app = await buildApp({ config: testConfig(), model: new ScriptedChatModel({ reply: "ok" }) });
    const { ws } = await listen(app);
    const c = await WsTestClient.connect(ws);
    clients.push(c);
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) {
      c.send({ type: "message.send", clientMessageId: `u${i}`, content: `q${i}`, options: convo });
      const accepted = await c.waitFor("message.accepted", (f) => f.clientMessageId === `u${i}`);
      const started = await c.waitFor("run.started", (f) => f.runId === accepted.runId);
      await c.waitForRunEnd(accepted.runId!);
      for (const id of [accepted.conversationId, accepted.userMessageId, accepted.runId!, started.assistantMessageId]) {
        expect(id).toMatch(UUID_V4);
        seen.add(id);
      }
    }
    expect(c.of("welcome")[0]!.connectionId).toMatch(UUID_V4);
    expect(seen.size).toBe(20);
  });
});
