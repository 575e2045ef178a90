import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
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

/**
 * A real server on 127.0.0.1. By default the model is built from the settings (as main.ts does), so the
 * configured timeouts and retries apply; `model` replaces it.
 */
async function serve(env: Record<string, string> = {}, model?: OpenAIChatModel) {
  const config = testConfig({
    ALMA_PROVIDER: "openai",
    ...(fake ? { OPENAI_BASE_URL: fake.url } : {}),
    OPENAI_API_KEY: "sk-test",
    ...env,
  });
  const app = await buildApp({ config, ...(model ? { model } : {}) });
  apps.push(app);
  const address = await app.listen({ host: "127.0.0.1", port: 0 });
  const c = await WsTestClient.connect(`${address.replace("http", "ws")}/ws`);
  clients.push(c);
  return { app, c };
}

const convo = { taskType: "conversational" } as const;
const words = (n: number, p = "w") => Array.from({ length: n }, (_, i) => ` ${p}${i}`);

/** a port on 127.0.0.1 with nothing listening: connecting to it is refused */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("provider faults before the first token", () => {
  it("retries a 429 after the Retry-After it names, with a visible progress event carrying the attempt", async () => {
    fake = await startFakeOpenAI({
      handler: (req) => (req.attempt === 1 ? { error: { status: 429, message: "Rate limit reached", retryAfter: 1 } } : "after the wait"),
    });
    const { c } = await serve();
    c.send({ type: "message.send", clientMessageId: "r429", content: "hello", options: convo });
    const { runId } = await c.waitFor("message.accepted");
    const done = await c.waitFor("run.completed", (f) => f.runId === runId);
    const retrying = c.of("run.progress").filter((p) => p.runId === runId && p.phase === "retrying");
    expect(retrying).toHaveLength(1);
    expect(retrying[0]!.attempt).toBe(1);
    expect(retrying[0]!.label).toMatch(/rate limit/i);
    const [first, second] = fake.chatRequests();
    // Retry-After: 1 (seconds) is longer than the backoff alone (at most 500 ms for the first retry)
    expect(second!.receivedAt - first!.endedAt!).toBeGreaterThanOrEqual(950);
    expect(done.metrics.retries).toBe(1);
    expect(
      c
        .tokens(runId!)
        .map((t) => t.text)
        .join(""),
    ).toBe("after the wait");
  });

  it("retries a 500, then answers", async () => {
    fake = await startFakeOpenAI({
      handler: (req) => (req.attempt === 1 ? { error: { status: 500, message: "The server had an error" } } : "second time lucky"),
    });
    const { c } = await serve();
    c.send({ type: "message.send", clientMessageId: "r500", content: "hello", options: convo });
    const { runId } = await c.waitFor("message.accepted");
    await c.waitFor("run.completed", (f) => f.runId === runId);
    expect(fake.chatRequests()).toHaveLength(2);
    expect(c.of("run.progress").find((p) => p.runId === runId && p.phase === "retrying")?.attempt).toBe(1);
    expect(
      c
        .tokens(runId!)
        .map((t) => t.text)
        .join(""),
    ).toBe("second time lucky");
  });

  it("does not retry a 400: one request, a typed error that is not retryable", async () => {
    fake = await startFakeOpenAI({ handler: () => ({ error: { status: 400, message: "Invalid value for 'temperature'" } }) });
    const { app, c } = await serve();
    c.send({ type: "message.send", clientMessageId: "r400", content: "hello", options: convo });
    const { runId, conversationId } = await c.waitFor("message.accepted");
    const err = await c.waitFor("run.error", (f) => f.runId === runId);
    expect(err).toMatchObject({ code: "provider_bad_request", retryable: false, partial: false });
    expect(err.message).toContain("Invalid value for 'temperature'");
    expect(fake.chatRequests()).toHaveLength(1);
    expect(c.of("run.progress").some((p) => p.phase === "retrying")).toBe(false);
    expect((await app.alma.store.listMessages(conversationId)).at(-1)).toMatchObject({ status: "failed", error: { code: "provider_bad_request" } });
  });

  it("retries a refused connection up to ALMA_PROVIDER_MAX_RETRIES, visibly, then fails with provider_unavailable", async () => {
    const url = `http://127.0.0.1:${await refusedPort()}/v1`;
    const { c } = await serve({ OPENAI_BASE_URL: url, ALMA_PROVIDER_MAX_RETRIES: "2" }, new OpenAIChatModel({ baseURL: url, apiKey: "sk-test" }));
    c.send({ type: "message.send", clientMessageId: "refused", content: "hello", options: convo });
    const { runId } = await c.waitFor("message.accepted");
    const err = await c.waitFor("run.error", (f) => f.runId === runId, 15_000);
    expect(err).toMatchObject({ code: "provider_unavailable", retryable: true, partial: false });
    expect(err.message).toContain(url);
    const attempts = c
      .of("run.progress")
      .filter((p) => p.runId === runId && p.phase === "retrying")
      .map((p) => p.attempt);
    expect(attempts).toEqual([1, 2]);
    expect(err.metrics?.retries).toBe(2);
  });
});

describe("provider faults after tokens were sent", () => {
  it("a cut ends the run with a typed error, keeps the partial marked failed; run.continue resumes from it; regenerate starts over", async () => {
    let n = 0;
    fake = await startFakeOpenAI({
      handler: () => {
        n++;
        if (n === 1) return { tokens: words(20, "p"), cutAfterTokens: 5 };
        if (n === 2) return { tokens: [" and", " the", " rest."] };
        return "a fresh answer";
      },
    });
    const { app, c } = await serve();
    c.send({ type: "message.send", clientMessageId: "cut", content: "tell me", options: convo });
    const { runId, conversationId, userMessageId } = await c.waitFor("message.accepted");
    const err = await c.waitFor("run.error", (f) => f.runId === runId);
    expect(err).toMatchObject({ code: "stream_interrupted", retryable: true, partial: true });
    expect(fake.chatRequests()).toHaveLength(1); // never retried once tokens were shown
    const partial = (await app.alma.store.getMessage(err.assistantMessageId!))!;
    expect(partial).toMatchObject({ status: "failed", finishReason: "error", content: " p0 p1 p2 p3 p4", error: { code: "stream_interrupted" } });

    // one click: continue from the partial answer
    let mark = c.frames.length;
    c.send({ type: "run.continue", conversationId, messageId: partial.id });
    const cont = await c.waitFor("run.started", () => true, 10_000, mark);
    expect(cont.assistantMessageId).toBe(partial.id);
    const contDone = await c.waitFor("run.completed", (f) => f.runId === cont.runId);
    expect(contDone.finishReason).toBe("stop");
    // the model was shown the partial answer to continue from
    const sent = fake.chatRequests()[1]!.chat!.messages;
    expect(sent.some((m) => m.role === "assistant" && m.content === " p0 p1 p2 p3 p4")).toBe(true);
    expect(
      c
        .tokens(cont.runId)
        .map((t) => t.text)
        .join(""),
    ).toBe(" and the rest.");
    expect(await app.alma.store.getMessage(partial.id)).toMatchObject({
      status: "complete",
      content: " p0 p1 p2 p3 p4 and the rest.",
      error: null,
      runId: cont.runId,
    });

    // or retry: regenerate replaces the answer
    mark = c.frames.length;
    c.send({ type: "run.regenerate", conversationId });
    const regen = await c.waitFor("run.started", () => true, 10_000, mark);
    await c.waitFor("run.completed", (f) => f.runId === regen.runId);
    const messages = await app.alma.store.listMessages(conversationId);
    expect(messages.map((m) => [m.id === userMessageId ? "user" : m.role, m.content, m.status])).toEqual([
      ["user", "tell me", "complete"],
      ["assistant", "a fresh answer", "complete"],
    ]);
  });

  it("ends a run whose provider stops sending mid-answer after ALMA_IDLE_TIMEOUT_MS, keeping the partial", async () => {
    fake = await startFakeOpenAI({ handler: () => ({ tokens: words(10, "s"), stallAfterTokens: 3 }) });
    const { app, c } = await serve({ ALMA_IDLE_TIMEOUT_MS: "400" });
    c.send({ type: "message.send", clientMessageId: "stall", content: "hello", options: convo });
    const { runId, conversationId } = await c.waitFor("message.accepted");
    const err = await c.waitFor("run.error", (f) => f.runId === runId, 10_000);
    expect(err).toMatchObject({ code: "provider_timeout", retryable: true, partial: true });
    expect(err.message).toMatch(/stalled for 400 ms/);
    expect((await app.alma.store.listMessages(conversationId)).at(-1)).toMatchObject({
      status: "failed",
      content: " s0 s1 s2",
      error: { code: "provider_timeout" },
    });
    // the upstream request was closed, not left hanging
    await fake.waitForEnd(fake.chatRequests()[0]!.index, 3000);
  });

  it("ends a run whose first token takes longer than ALMA_TTFT_TIMEOUT_MS", async () => {
    fake = await startFakeOpenAI({ handler: () => ({ text: "too late", firstTokenDelayMs: 5000 }) });
    const { app, c } = await serve({ ALMA_TTFT_TIMEOUT_MS: "400" });
    c.send({ type: "message.send", clientMessageId: "ttft", content: "hello", options: convo });
    const { runId, conversationId } = await c.waitFor("message.accepted");
    const err = await c.waitFor("run.error", (f) => f.runId === runId, 10_000);
    expect(err).toMatchObject({ code: "provider_timeout", retryable: true, partial: false });
    expect(err.message).toMatch(/within 400 ms/);
    expect(c.tokens(runId!)).toHaveLength(0);
    expect((await app.alma.store.listMessages(conversationId)).at(-1)).toMatchObject({ status: "failed", error: { code: "provider_timeout" } });
  });

  it("a slow trickle, each gap under the idle timeout, still completes", async () => {
    fake = await startFakeOpenAI({ handler: () => ({ tokens: words(8, "t"), tokenDelayMs: 150 }) });
    const { app, c } = await serve({ ALMA_IDLE_TIMEOUT_MS: "500", ALMA_TTFT_TIMEOUT_MS: "500" });
    c.send({ type: "message.send", clientMessageId: "slow", content: "hello", options: convo });
    const { runId, conversationId } = await c.waitFor("message.accepted");
    const done = await c.waitFor("run.completed", (f) => f.runId === runId, 10_000);
    expect(done.finishReason).toBe("stop");
    // longer in total than either timeout: they bound gaps, not the whole answer
    expect(done.metrics.totalMs).toBeGreaterThan(1000);
    expect((await app.alma.store.listMessages(conversationId)).at(-1)).toMatchObject({ status: "complete", content: words(8, "t").join("") });
  });
});

describe("local engine failures", () => {
  async function serveLocal(modelPath: string) {
    const { app, c } = await serve({ ALMA_PROVIDER: "local", ALMA_MODEL: modelPath });
    await expect.poll(() => app.alma.model.status().state, { timeout: 20_000 }).toBe("unavailable");
    return { app, c };
  }

  it.each([
    ["missing", (dir: string) => join(dir, "nope.gguf"), /does not exist/],
    [
      "corrupt",
      (dir: string) => {
        const path = join(dir, "broken.gguf");
        writeFileSync(path, Buffer.from("this is not a GGUF model file at all".repeat(100)));
        return path;
      },
      /corrupt or not a GGUF/,
    ],
  ])("a %s model file: status unavailable with the reason, and a clear error on send", async (_, makePath, problem) => {
    const dir = mkdtempSync(join(tmpdir(), "alma-local-"));
    dirs.push(dir);
    const path = makePath(dir);
    const { app, c } = await serveLocal(path);
    const health = (await app.inject({ method: "GET", url: "/health" })).json() as { modelReady: boolean; model: { problem: string } };
    expect(health.modelReady).toBe(false);
    expect(health.model.problem).toMatch(problem);
    c.send({ type: "message.send", clientMessageId: "local-1", content: "hello", options: convo });
    const err = await c.waitFor("error", (e) => e.clientMessageId === "local-1");
    expect(err.code).toBe("model_not_ready");
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(problem);
    expect(err.message).toContain(path);
    expect(err.message).toContain("To fix it");
    expect(await app.alma.store.listConversations()).toHaveLength(0);
  });
});
