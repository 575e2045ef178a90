import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OpenAIChatModel } from "@alma/llm";
import { startFakeOpenAI, type FakeOpenAIServer } from "@alma/testing";
import { buildApp } from "../build-app.js";
import { testConfig } from "../testing/test-config.js";
import { WsTestClient } from "../testing/ws-test-client.js";
import { useTestResources } from "../testing/use-test-resources.js";

let fake: FakeOpenAIServer | null = null;
const { apps, clients, dirs } = useTestResources(async () => {
  await fake?.close();
  fake = null;
});

async function serve(env: Record<string, string> = {}, opts: { configuredModel?: boolean } = {}) {
  const config = testConfig({ ALMA_PROVIDER: "openai", OPENAI_BASE_URL: fake!.url, OPENAI_API_KEY: "sk-test", ...env });
  // configuredModel: let the app build the model from the settings, as main.ts does
  const model = opts.configuredModel ? undefined : new OpenAIChatModel({ baseURL: fake!.url, apiKey: "sk-test", model: "gpt-4o-mini" });
  const app = await buildApp({ config, ...(model ? { model } : {}) });
  apps.push(app);
  const address = await app.listen({ host: "127.0.0.1", port: 0 });
  const c = await WsTestClient.connect(`${address.replace("http", "ws")}/ws`);
  clients.push(c);
  return { app, c };
}

const convo = { taskType: "conversational" } as const;

describe("runs against an OpenAI-compatible upstream (fake server, real SSE)", () => {
  it("streams every upstream token in order, with the provider's usage", async () => {
    const words = Array.from({ length: 60 }, (_, i) => ` w${i}`);
    fake = await startFakeOpenAI({ handler: () => ({ tokens: words }) });
    const { c } = await serve();
    c.send({ type: "message.send", clientMessageId: "o1", content: "count", options: convo });
    const { runId } = await c.waitFor("message.accepted");
    const done = await c.waitFor("run.completed", (f) => f.runId === runId);
    const tokens = c.tokens(runId!);
    expect(tokens.map((t) => t.seq)).toEqual(tokens.map((_, i) => i));
    expect(tokens.map((t) => t.text).join("")).toBe(words.join(""));
    expect(done.usage.reported).toBe(true);
    expect(done.usage.completionTokens).toBe(60);
    expect(done.metrics.provider).toBe("openai");
    expect(fake.chatRequests()[0]!.chat!.includeUsage).toBe(true);
  });

  it("stop closes the upstream request (seen by the fake server)", async () => {
    fake = await startFakeOpenAI({ handler: () => ({ tokens: Array.from({ length: 500 }, (_, i) => ` t${i}`), tokensPerSecond: 100 }) });
    const { app, c } = await serve();
    c.send({ type: "message.send", clientMessageId: "o2", content: "long please", options: convo });
    const { runId, conversationId } = await c.waitFor("message.accepted");
    await c.waitFor("run.token", (t) => t.runId === runId && t.seq === 2);
    c.send({ type: "run.stop", runId: runId! });
    const index = fake.chatRequests().at(-1)!.index;
    const aborted = await fake.waitForAbort(index, 3000);
    expect(aborted.clientAborted).toBe(true);
    expect(aborted.tokensSent).toBeLessThan(500);
    await c.waitFor("run.completed", (f) => f.runId === runId && f.finishReason === "stopped");
    expect((await app.alma.store.listMessages(conversationId)).at(-1)!.status).toBe("stopped");
  });

  it("a stream cut after tokens ends the run with a typed error and keeps the partial answer", async () => {
    fake = await startFakeOpenAI({ handler: () => ({ tokens: Array.from({ length: 20 }, (_, i) => ` p${i}`), cutAfterTokens: 5 }) });
    const { app, c } = await serve();
    c.send({ type: "message.send", clientMessageId: "o3", content: "cut", options: convo });
    const { runId, conversationId } = await c.waitFor("message.accepted");
    const err = await c.waitFor("run.error", (f) => f.runId === runId);
    expect(err.code).toBe("stream_interrupted");
    expect(err.partial).toBe(true);
    const answer = (await app.alma.store.listMessages(conversationId)).at(-1)!;
    expect(answer).toMatchObject({ status: "failed", error: { code: "stream_interrupted" } });
    expect(answer.content).toBe(" p0 p1 p2 p3 p4");
  });

  it("a message longer than the model can ever take gets message_too_long naming the limit", async () => {
    fake = await startFakeOpenAI();
    const { c } = await serve({ ALMA_CONTEXT_WINDOW: "1024", ALMA_MAX_OUTPUT_TOKENS: "256" });
    c.send({ type: "message.send", clientMessageId: "o4", content: "lorem ipsum ".repeat(2000), options: convo });
    const { runId } = await c.waitFor("message.accepted");
    const err = await c.waitFor("run.error", (f) => f.runId === runId);
    expect(err.code).toBe("message_too_long");
    expect(err.message).toMatch(/\d+ tokens/);
    expect(fake.chatRequests()).toHaveLength(0);
  });

  it("keeps conversations across a restart on a database file, and marks crashed answers interrupted", async () => {
    fake = await startFakeOpenAI({ handler: () => "persisted answer" });
    const dir = mkdtempSync(join(tmpdir(), "alma-server-"));
    dirs.push(dir);
    const env = { ALMA_DB_PATH: join(dir, "data", "alma.db") };
    const first = await serve(env);
    first.c.send({ type: "message.send", clientMessageId: "p1", content: "remember me", options: convo });
    const { runId, conversationId } = await first.c.waitFor("message.accepted");
    await first.c.waitForRunEnd(runId!);
    // as if the process died mid-answer: a streaming message left behind
    await first.app.alma.store.addAssistantMessage({ conversationId, runId: "crashed", taskType: null });
    first.c.terminate();
    await first.app.close();
    apps.splice(apps.indexOf(first.app), 1);

    const second = await serve(env);
    second.c.send({ type: "conversation.history", requestId: "h", conversationId });
    const history = await second.c.waitFor("conversation.history.result");
    expect(history.messages.map((m) => [m.role, m.content, m.status])).toEqual([
      ["user", "remember me", "complete"],
      ["assistant", "persisted answer", "complete"],
      ["assistant", "", "interrupted"],
    ]);
  });

  it("retries a 429 before the first token, visibly, honouring Retry-After, then answers", async () => {
    fake = await startFakeOpenAI({
      handler: (req) => (req.attempt === 1 ? { error: { status: 429, message: "slow down", retryAfterMs: 50 } } : "after retry"),
    });
    const { c } = await serve({}, { configuredModel: true });
    c.send({ type: "message.send", clientMessageId: "o5", content: "retry me", options: convo });
    const { runId } = await c.waitFor("message.accepted");
    const done = await c.waitFor("run.completed", (f) => f.runId === runId);
    expect(c.of("run.progress").some((p) => p.runId === runId && p.phase === "retrying")).toBe(true);
    expect(done.metrics.retries).toBe(1);
    expect(
      c
        .tokens(runId!)
        .map((t) => t.text)
        .join(""),
    ).toBe("after retry");
  });

  it("does not retry a 401 and says what to fix", async () => {
    fake = await startFakeOpenAI({ apiKey: "sk-right" });
    const { c } = await serve();
    c.send({ type: "message.send", clientMessageId: "o6", content: "hi", options: convo });
    const { runId } = await c.waitFor("message.accepted");
    const err = await c.waitFor("run.error", (f) => f.runId === runId);
    expect(err.code).toBe("provider_auth");
    expect(err.retryable).toBe(false);
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it("a refused key found at start-up makes messages fail fast with model_not_ready", async () => {
    fake = await startFakeOpenAI({ apiKey: "sk-right" });
    const { app, c } = await serve({}, { configuredModel: true });
    await expect.poll(() => app.alma.model.status().state).toBe("unavailable");
    c.send({ type: "message.send", clientMessageId: "o8", content: "hi", options: convo });
    const err = await c.waitFor("error", (e) => e.code === "model_not_ready");
    expect(err.message).toContain("OPENAI_API_KEY");
    expect(await app.alma.store.listConversations()).toHaveLength(0);
  });

  it("ends a run whose upstream never sends a first token with provider_timeout", async () => {
    fake = await startFakeOpenAI({ handler: () => ({ hang: "after-headers" }) });
    const { c } = await serve({ ALMA_TTFT_TIMEOUT_MS: "300", ALMA_PROVIDER_MAX_RETRIES: "0" }, { configuredModel: true });
    c.send({ type: "message.send", clientMessageId: "o7", content: "hang", options: convo });
    const { runId } = await c.waitFor("message.accepted");
    const err = await c.waitFor("run.error", (f) => f.runId === runId, 10_000);
    expect(err.code).toBe("provider_timeout");
  });
});
