import { createServer, connect, type Server, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { OpenAIChatModel } from "@alma/llm";
import { startFakeOpenAI, type FakeOpenAIServer } from "@alma/testing";
import { buildApp, type BuildAppOptions } from "../build-app.js";
import { testConfig } from "../testing/test-config.js";
import { WsTestClient } from "../testing/ws-test-client.js";
import { useTestResources } from "../testing/use-test-resources.js";

/**
 * The model server's address, known before anything listens there: until `up` a connection is refused, as with an
 * Ollama or llama.cpp started after alma; then it forwards to a fake OpenAI server.
 */
async function lateUpstream() {
  const reserve = createServer();
  await new Promise<void>((resolve) => reserve.listen(0, "127.0.0.1", resolve));
  const { port } = reserve.address() as { port: number };
  await new Promise<void>((resolve) => reserve.close(() => resolve()));
  let forwarder: Server | null = null;
  const sockets = new Set<Socket>();
  return {
    url: `http://127.0.0.1:${port}/v1`,
    async up(target: FakeOpenAIServer): Promise<void> {
      forwarder = createServer((inbound) => {
        const outbound = connect(target.port, "127.0.0.1");
        for (const s of [inbound, outbound]) {
          sockets.add(s);
          s.on("close", () => sockets.delete(s));
          s.on("error", () => undefined);
        }
        inbound.pipe(outbound).pipe(inbound);
      });
      await new Promise<void>((resolve) => forwarder!.listen(port, "127.0.0.1", resolve));
    },
    async close(): Promise<void> {
      for (const s of sockets) s.destroy();
      if (forwarder) await new Promise<void>((resolve) => forwarder!.close(() => resolve()));
      forwarder = null;
    },
  };
}

const released: Array<{ close(): Promise<void> }> = [];
const { apps, clients } = useTestResources(async () => {
  for (const r of released.splice(0)) await r.close();
});

async function serve(options: BuildAppOptions) {
  const app = await buildApp(options);
  apps.push(app);
  const address = await app.listen({ host: "127.0.0.1", port: 0 });
  const connectClient = async () => {
    const c = await WsTestClient.connect(`${address.replace("http", "ws")}/ws`);
    clients.push(c);
    return c;
  };
  return { app, connectClient };
}

const convo = { taskType: "conversational" } as const;

describe("a model server that comes up after alma", () => {
  it("every open tab is told the model is ready once it answers, and a message is then answered, without a restart", async () => {
    const upstream = await lateUpstream();
    const fake = await startFakeOpenAI({ handler: () => "back online" });
    released.push(upstream, fake);
    // the model as main.ts builds it from the settings, with the default re-probe schedule
    const config = testConfig({ ALMA_PROVIDER: "openai", OPENAI_BASE_URL: upstream.url, OPENAI_API_KEY: "sk-test", OPENAI_MODEL: "gpt-4o-mini" });
    const { app, connectClient } = await serve({ config });
    await expect.poll(() => app.alma.model.status().state, { timeout: 15_000 }).toBe("unavailable");
    expect(app.alma.model.status().problem).toContain("check OPENAI_BASE_URL");
    const tabs = [await connectClient(), await connectClient()];
    expect((await app.inject({ method: "GET", url: "/health" })).json()).toMatchObject({ modelReady: false });

    await upstream.up(fake);
    for (const tab of tabs) await tab.waitFor("model.status", (f) => f.model.ready, 45_000);
    expect((await app.inject({ method: "GET", url: "/health" })).json()).toMatchObject({ modelReady: true });

    const c = tabs[0]!;
    c.send({ type: "message.send", clientMessageId: "back-1", content: "are you there?", options: convo });
    const { runId } = await c.waitFor("message.accepted");
    const done = await c.waitFor("run.completed", (f) => f.runId === runId, 15_000);
    expect(done.finishReason).toBe("stop");
    expect(
      c
        .tokens(runId!)
        .map((t) => t.text)
        .join(""),
    ).toBe("back online");
    expect(c.of("error")).toEqual([]);
  }, 90_000);

  it("a message sent right after the model server came up asks it at once and is answered, not refused until the next re-probe", async () => {
    const upstream = await lateUpstream();
    const fake = await startFakeOpenAI({ handler: () => "answered at once" });
    // no background re-probe would come within the test: only the send can find the server up
    const model = new OpenAIChatModel({
      baseURL: upstream.url,
      apiKey: "sk-test",
      model: "gpt-4o-mini",
      reprobe: { initialDelayMs: 600_000, maxDelayMs: 600_000 },
    });
    released.push(model, upstream, fake);
    expect((await model.probe()).state).toBe("unavailable");
    const config = testConfig({ ALMA_PROVIDER: "openai", OPENAI_BASE_URL: upstream.url, OPENAI_API_KEY: "sk-test" });
    const { connectClient } = await serve({ config, model });
    const [c, other] = [await connectClient(), await connectClient()];

    await upstream.up(fake);
    c.send({ type: "message.send", clientMessageId: "now-1", content: "hello", options: convo });
    // accepted, not refused: the first answer to the send is what counts
    const answer = () => c.frames.find((f) => f.type === "message.accepted" || f.type === "error");
    await expect.poll(answer, { timeout: 10_000 }).toBeDefined();
    expect(answer()).toMatchObject({ type: "message.accepted" });
    const accepted = await c.waitFor("message.accepted");
    const done = await c.waitFor("run.completed", (f) => f.runId === accepted.runId, 15_000);
    expect(done.finishReason).toBe("stop");
    expect(
      c
        .tokens(accepted.runId!)
        .map((t) => t.text)
        .join(""),
    ).toBe("answered at once");
    // the other tab's send box enables too
    await other.waitFor("model.status", (f) => f.model.ready);
  }, 60_000);

  it("a message while the model server is still down is refused with model_not_ready naming the fix, after asking again", async () => {
    const upstream = await lateUpstream();
    const model = new OpenAIChatModel({
      baseURL: upstream.url,
      apiKey: "sk-test",
      model: "gpt-4o-mini",
      reprobe: { initialDelayMs: 600_000, maxDelayMs: 600_000 },
    });
    released.push(model, upstream);
    expect((await model.probe()).state).toBe("unavailable");
    const config = testConfig({ ALMA_PROVIDER: "openai", OPENAI_BASE_URL: upstream.url, OPENAI_API_KEY: "sk-test" });
    const { app, connectClient } = await serve({ config, model });
    const c = await connectClient();
    c.send({ type: "message.send", clientMessageId: "down-1", content: "hello", options: convo });
    const err = await c.waitFor("error", (e) => e.code === "model_not_ready", 15_000);
    expect(err.message).toContain("check OPENAI_BASE_URL");
    expect(await app.alma.store.listConversations()).toHaveLength(0);
  }, 30_000);
});
