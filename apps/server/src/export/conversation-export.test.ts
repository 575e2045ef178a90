import { afterEach, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { ScriptedChatModel } from "@alma/llm";
import type { RunMetrics } from "@alma/protocol";
import { buildApp } from "../build-app.js";
import { ConfigError, loadConfig } from "../config.js";
import { testConfig } from "../testing/test-config.js";
import { useTestResources } from "../testing/use-test-resources.js";
import type { ConversationExport } from "./conversation-export.js";
import { answerCost } from "./conversation-export.js";
import { exportFileName } from "./export-file-name.js";

let app: FastifyInstance | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});
const resources = useTestResources();

const NOW = Date.UTC(2026, 11, 1, 14, 3, 0);

function metrics(over: Partial<RunMetrics> = {}): RunMetrics {
  return {
    receivedAt: NOW - 5000,
    requestBuiltMs: 2,
    upstreamStartedMs: 3,
    firstTokenMs: 420,
    lastTokenMs: 3000,
    totalMs: 3100,
    tokensPerSecond: 39.5,
    promptTokens: 1000,
    completionTokens: 500,
    cacheHit: false,
    retries: 0,
    provider: "openai",
    model: "gpt-4o-mini",
    steps: [],
    requests: [],
    planningTokens: 0,
    classificationTokens: 0,
    context: null,
    ...over,
  };
}

/** a conversation as runs leave it: a question, an analytical answer with two steps, a follow-up and its answer */
async function seeded(env: Record<string, string> = {}) {
  app = await buildApp({ config: testConfig(env), model: new ScriptedChatModel(), now: () => NOW });
  const { store } = app.alma;
  const c = await store.createConversation("");
  await store.addUserMessage({ conversationId: c.id, clientMessageId: "u1", content: "Compare Redis and RabbitMQ for a job queue — é?" });
  const a1 = await store.addAssistantMessage({ conversationId: c.id, runId: "r1", taskType: "analytical" });
  await store.updateAssistantMessage(a1.id, {
    content: "Pick RabbitMQ.",
    status: "complete",
    finishReason: "stop",
    steps: [
      { id: "s1", title: "Weigh latency", agent: "analyst", dependsOn: [], text: "Redis is faster.", status: "complete" },
      { id: "s2", title: "Weigh reliability", agent: "analyst", dependsOn: [], text: "RabbitMQ acks.", status: "truncated", note: "stopped at its budget" },
    ],
    usage: { promptTokens: 1000, completionTokens: 500, reported: true },
    metrics: metrics(),
  });
  await store.addUserMessage({ conversationId: c.id, clientMessageId: "u2", content: "Thanks!" });
  const a2 = await store.addAssistantMessage({ conversationId: c.id, runId: "r2", taskType: "conversational" });
  await store.updateAssistantMessage(a2.id, {
    content: "You're welcome.",
    status: "stopped",
    finishReason: "stopped",
    usage: { promptTokens: 200, completionTokens: 10, reported: true },
    metrics: metrics({ promptTokens: 200, completionTokens: 10, firstTokenMs: 100, totalMs: 900, tokensPerSecond: 20 }),
  });
  await store.pinFact({ conversationId: c.id, text: "uses Postgres", messageId: null });
  return { app, id: c.id };
}

describe("GET /api/conversations/:id/export", () => {
  it("?format=json: version 1, the conversation, its messages with metrics, steps and cost, and the totals", async () => {
    const { app, id } = await seeded();
    const res = await app.inject({ method: "GET", url: `/api/conversations/${id}/export?format=json` });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.headers["content-disposition"]).toBe('attachment; filename="compare-redis-and-rabbitmq-for-a-job-queue-e.json"');
    const body = res.json() as ConversationExport;
    expect(body.version).toBe(1);
    expect(body.exportedAt).toBe("2026-12-01T14:03:00.000Z");
    expect(body.conversation).toMatchObject({ id, title: "Compare Redis and RabbitMQ for a job queue — é?" });
    expect(body.messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "Compare Redis and RabbitMQ for a job queue — é?"],
      ["assistant", "Pick RabbitMQ."],
      ["user", "Thanks!"],
      ["assistant", "You're welcome."],
    ]);
    expect(body.messages[1]!.steps!.map((s) => s.title)).toEqual(["Weigh latency", "Weigh reliability"]);
    expect(body.messages[1]!.metrics).toMatchObject({ firstTokenMs: 420, totalMs: 3100, model: "gpt-4o-mini" });
    // gpt-4o-mini: $0.15 in, $0.60 out per million tokens
    expect(body.messages[0]!.costUsd).toBeNull();
    expect(body.messages[1]!.costUsd).toBeCloseTo((1000 * 0.15 + 500 * 0.6) / 1e6, 12);
    expect(body.totals.promptTokens).toBe(1200);
    expect(body.totals.completionTokens).toBe(510);
    expect(body.totals.costUsd).toBeCloseTo((1200 * 0.15 + 510 * 0.6) / 1e6, 12);
    expect(body.pinnedFacts.map((f) => f.text)).toEqual(["uses Postgres"]);
  });

  it("?format=markdown (the default): a readable transcript with steps as sections and a figures line per answer", async () => {
    const { app, id } = await seeded();
    const res = await app.inject({ method: "GET", url: `/api/conversations/${id}/export?format=markdown` });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/markdown; charset=utf-8");
    expect(res.headers["content-disposition"]).toBe('attachment; filename="compare-redis-and-rabbitmq-for-a-job-queue-e.md"');
    const md = res.body;
    expect(md.startsWith("# Compare Redis and RabbitMQ for a job queue — é?\n\n")).toBe(true);
    expect(md).toContain("_Exported from alma on 2026-12-01 14:03 UTC · 4 messages · 1,200 tokens in / 510 out · cost $0.0005_");
    expect(md).toContain("**Pinned facts**\n\n- uses Postgres");
    expect(md).toContain("## You · ");
    expect(md).toContain("## alma · analytical · ");
    expect(md).toContain("### Step 1: Weigh latency\n\nRedis is faster.");
    expect(md).toContain("### Step 2: Weigh reliability _(truncated: stopped at its budget)_\n\nRabbitMQ acks.");
    expect(md).toContain("### Answer\n\nPick RabbitMQ.");
    expect(md).toContain("_time to first token 0.42 s · total 3.10 s · 1,000 tokens in / 500 out · 39.5 tok/s · $0.0004 · gpt-4o-mini_");
    expect(md).toContain("You're welcome.\n\n_(stopped before the end)_\n\n_time to first token 0.10 s · total 0.90 s · 200 tokens in / 10 out · 20.0 tok/s");
    // the order of the transcript is the conversation's
    expect(md.indexOf("Pick RabbitMQ.")).toBeLessThan(md.indexOf("Thanks!"));
    expect((await app.inject({ method: "GET", url: `/api/conversations/${id}/export` })).body).toBe(md);
  });

  it("lists the files each message was sent with: names, kinds and sizes in Markdown, their metadata (no text) in JSON", async () => {
    app = await buildApp({ config: testConfig(), model: new ScriptedChatModel(), now: () => NOW });
    const { store } = app.alma;
    const c = await store.createConversation("Files");
    const file = { conversationId: c.id, mediaType: "text/plain", text: "secret body text", tokens: 4 };
    const pdf = await store.addAttachment({ ...file, name: "q3_report.pdf", kind: "pdf", bytes: 2_500_000, pages: [{ number: 1, start: 0, end: 16 }] });
    const csv = await store.addAttachment({ ...file, name: "rows.csv", kind: "csv", bytes: 1536, pages: null });
    await store.addUserMessage({ conversationId: c.id, clientMessageId: "u1", content: "Read these", attachmentIds: [pdf.id, csv.id] });
    await store.addUserMessage({ conversationId: c.id, clientMessageId: "u2", content: "No files here" });

    const md = (await app.inject({ method: "GET", url: `/api/conversations/${c.id}/export?format=markdown` })).body;
    expect(md).toContain("Read these\n\n_Attached: 📎 q3\\_report.pdf (PDF, 1 page, 2.4 MB) · 📎 rows.csv (CSV, 1.5 KB)_");
    expect(md.match(/_Attached:/g)).toHaveLength(1);
    expect(md).not.toContain("secret body text");

    const json = (await app.inject({ method: "GET", url: `/api/conversations/${c.id}/export?format=json` })).json() as ConversationExport;
    expect(json.messages[0]!.attachments?.map((a) => [a.name, a.kind, a.bytes, a.pages])).toEqual([
      ["q3_report.pdf", "pdf", 2_500_000, 1],
      ["rows.csv", "csv", 1536, null],
    ]);
    expect(json.messages[1]!.attachments).toBeUndefined();
    expect(JSON.stringify(json)).not.toContain("secret body text");
  });

  it("prices from ALMA_MODEL_PRICES win over the known ones; a model with no price has cost null", async () => {
    const { app, id } = await seeded({ ALMA_MODEL_PRICES: '[{"model":"gpt-4o-mini","inputPerMillion":1,"outputPerMillion":2}]' });
    const body = (await app.inject({ method: "GET", url: `/api/conversations/${id}/export?format=json` })).json() as ConversationExport;
    expect(body.totals.costUsd).toBeCloseTo((1200 * 1 + 510 * 2) / 1e6, 12);

    const m = { role: "assistant" as const, usage: { promptTokens: 10, completionTokens: 10, reported: true } };
    expect(answerCost({ ...m, metrics: metrics({ model: "house-model" }) }, [])).toBeNull();
    expect(answerCost({ ...m, metrics: metrics({ model: "qwen2.5-0.5b-instruct", provider: "local" }) }, [])).toBe(0);
    expect(answerCost({ ...m, metrics: metrics({ cacheHit: true }) }, [])).toBe(0);
  });

  it("a bad id is a 400, an unknown one a 404, a bad format a 400 naming the formats; the token guards it", async () => {
    const { app, id } = await seeded();
    const badId = await app.inject({ method: "GET", url: "/api/conversations/bad%20id/export?format=json" });
    expect(badId.statusCode).toBe(400);
    expect(badId.json()).toMatchObject({ error: "invalid_id" });
    const unknown = await app.inject({ method: "GET", url: "/api/conversations/no-such-id/export?format=markdown" });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: "not_found", message: "No such conversation (it may have been deleted)." });
    const badFormat = await app.inject({ method: "GET", url: `/api/conversations/${id}/export?format=pdf` });
    expect(badFormat.statusCode).toBe(400);
    expect(badFormat.json()).toEqual({
      error: "invalid_query",
      message: 'Invalid query string: format: the format is "markdown" or "json". Correct the query string and send the request again.',
    });
    expect((await app.inject({ method: "GET", url: `/api/conversations/${id}/export?format=json&x=1` })).statusCode).toBe(400);

    const token = "a-token-of-16-chars-or-more";
    const guarded = await buildApp({ config: testConfig({ ALMA_AUTH_TOKEN: token }), model: new ScriptedChatModel() });
    try {
      const c = await guarded.alma.store.createConversation("Secret plans");
      expect((await guarded.inject({ method: "GET", url: `/api/conversations/${c.id}/export` })).statusCode).toBe(401);
      const ok = await guarded.inject({ method: "GET", url: `/api/conversations/${c.id}/export`, headers: { authorization: `Bearer ${token}` } });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers["content-disposition"]).toBe('attachment; filename="secret-plans.md"');
    } finally {
      await guarded.close();
    }
  });

  it("exports a conversation a real run wrote, and a browser on an allowed origin can read the file name", async () => {
    const { address, connect } = await resources.serve({ config: testConfig(), model: new ScriptedChatModel({ reply: "Hello there, friend." }) });
    const c = await connect();
    c.send({ type: "message.send", clientMessageId: "e1", content: "Say hello", options: { taskType: "conversational" } });
    const accepted = await c.waitFor("message.accepted");
    await c.waitForRunEnd(accepted.runId!);
    const res = await fetch(`${address}/api/conversations/${accepted.conversationId}/export?format=markdown`, {
      headers: { origin: "http://localhost:3000" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-expose-headers")).toMatch(/content-disposition/i);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="say-hello.md"');
    const md = await res.text();
    expect(md).toContain("# Say hello");
    expect(md).toContain("Hello there, friend.");
    expect(md).toMatch(/_time to first token \d+\.\d\d s · total \d+\.\d\d s · \d+ tokens in \/ \d+ out · [\d.–]+ tok\/s · cost unknown · scripted_/);
    const json = (await (await fetch(`${address}/api/conversations/${accepted.conversationId}/export?format=json`)).json()) as ConversationExport;
    expect(json.messages[1]!.metrics?.provider).toBe("scripted");
    expect(json.totals.costUsd).toBeNull();
  });
});

describe("ALMA_MODEL_PRICES", () => {
  it("adds to and overrides the known prices; bad input stops the start with the problem named", async () => {
    const prices = loadConfig({ ALMA_MODEL_PRICES: '[{"model":"house-model","inputPerMillion":0,"outputPerMillion":0.1}]' }).modelPrices;
    expect(prices[0]).toEqual({ model: "house-model", inputPerMillion: 0, outputPerMillion: 0.1 });
    expect(prices.some((p) => p.model === "gpt-4o-mini")).toBe(true);
    const problem = (value: string) => {
      try {
        loadConfig({ ALMA_MODEL_PRICES: value });
      } catch (err) {
        if (err instanceof ConfigError) return err.problems.map((p) => `${p.setting}: ${p.message}`).join("\n");
      }
      return "no error";
    };
    expect(problem("{nope")).toMatch(/^ALMA_MODEL_PRICES: is not JSON \(.*\); expected an array like \[\{"model":"my-model"/);
    expect(problem('[{"model":"m","inputPerMillion":"cheap","outputPerMillion":1}]')).toMatch(/^ALMA_MODEL_PRICES: \[0\]\.inputPerMillion: .*number/);
    expect(problem('{"model":"m"}')).toMatch(/^ALMA_MODEL_PRICES: .*expected array/);
  });

  it("the file name is the title as a slug, or the id", async () => {
    expect(exportFileName("Crème brûlée: a recipe!", "c1", "md")).toBe("creme-brulee-a-recipe.md");
    expect(exportFileName("日本語", "c_2", "json")).toBe("conversation-c_2.json");
    expect(exportFileName("x".repeat(80), "c1", "md")).toBe(`${"x".repeat(60)}.md`);
  });
});
