import { afterEach, describe, expect, it } from "vitest";
import { capableResponder } from "@alma/agent/testing";
import { startFakeOpenAI, type FakeOpenAIServer } from "@alma/testing";
import { buildApp } from "../build-app.js";
import { loadConfig } from "../config.js";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "../testing/otlp-receiver.js";
import { testConfig } from "../testing/test-config.js";
import { WsTestClient } from "../testing/ws-test-client.js";
import { startTelemetry, type Telemetry } from "./start-telemetry.js";

let fake: FakeOpenAIServer | null = null;
let receiver: OtlpReceiver | null = null;
let telemetry: Telemetry | null = null;
afterEach(async () => {
  await telemetry?.shutdown();
  await receiver?.close();
  await fake?.close();
  telemetry = null;
  receiver = null;
  fake = null;
});

const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3 };
const MODEL = "gpt-4o-mini";

/** the sum of a Prometheus series' samples whose labels include all of `labels` */
function promSum(text: string, series: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${series}{`) && !line.startsWith(`${series} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}

describe("OpenTelemetry export (OTLP/HTTP JSON to an in-process collector)", () => {
  it("is off without an OTLP endpoint, and on with one", () => {
    expect(loadConfig({}).telemetry).toBeNull();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" }).telemetry).toEqual({
      tracesUrl: "http://127.0.0.1:4318/v1/traces",
      metricsUrl: "http://127.0.0.1:4318/v1/metrics",
      serviceName: "alma-server",
      metricExportIntervalMs: 60_000,
    });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_SDK_DISABLED: "true" }).telemetry).toBeNull();
  });

  it("a real analytical run through the server: GenAI spans (run, steps, model requests), GenAI metrics, the same figures on /metrics", async () => {
    fake = await startFakeOpenAI({ handler: capableResponder() });
    receiver = await startOtlpReceiver();
    const config = testConfig({
      ALMA_PROVIDER: "openai",
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: "sk-test",
      OPENAI_MODEL: MODEL,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: "alma-test",
    });
    telemetry = startTelemetry(config.telemetry!);
    const app = await buildApp({ config, telemetry });
    const address = await app.listen({ host: "127.0.0.1", port: 0 });
    let prometheus = "";
    let conversationId = "";
    try {
      const c = await WsTestClient.connect(`${address.replace("http", "ws")}/ws`);
      c.send({
        type: "message.send",
        clientMessageId: "otel-1",
        content: "Compare Redis and RabbitMQ for our job queue and recommend one.",
        options: { taskType: "analytical" },
      });
      const accepted = await c.waitFor("message.accepted", (f) => f.clientMessageId === "otel-1");
      conversationId = accepted.conversationId;
      const end = await c.waitForRunEnd(accepted.runId!, 60_000);
      expect(end.type).toBe("run.completed");
      c.terminate();
      expect((await fetch(`${address}/api/conversations/${conversationId}`)).status).toBe(200);
      prometheus = await (await fetch(`${address}/metrics`)).text();
    } finally {
      await app.close();
    }
    await telemetry.shutdown();

    // --- traces ---------------------------------------------------------------------------------------------
    expect(receiver.requests.filter((r) => r.path === "/v1/traces").every((r) => r.contentType.startsWith("application/json"))).toBe(true);
    const spans = receiver.spans();
    const named = (name: string) => spans.filter((s) => s.name === name);
    expect(spans[0]!.resource["service.name"]).toBe("alma-test");

    const [run, ...moreRuns] = named("invoke_agent manager");
    expect(moreRuns).toEqual([]);
    expect(run).toBeDefined();
    expect(run!.kind).toBe(SPAN_KIND.INTERNAL);
    expect(run!.parentSpanId).toBeNull();
    expect(run!.attributes).toMatchObject({
      "gen_ai.operation.name": "invoke_agent",
      "gen_ai.agent.name": "manager",
      "gen_ai.conversation.id": conversationId,
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": MODEL,
      "alma.task_type": "analytical",
      "gen_ai.response.finish_reasons": ["stop"],
    });
    expect(run!.attributes["gen_ai.usage.input_tokens"]).toBeGreaterThan(0);
    expect(run!.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
    const inRun = spans.filter((s) => s.traceId === run!.traceId);

    const steps = inRun.filter((s) => s.name === "invoke_agent analyst");
    expect(steps.length).toBeGreaterThanOrEqual(2);
    for (const step of steps) {
      expect(step.parentSpanId).toBe(run!.spanId);
      expect(step.attributes).toMatchObject({
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.agent.name": "analyst",
        "gen_ai.conversation.id": conversationId,
        "alma.step.status": "complete",
      });
      expect(step.attributes["alma.step.id"]).toMatch(/^s\d$/);
    }

    const chats = inRun.filter((s) => s.name === `chat ${MODEL}`);
    const role = (s: ReceivedSpan) => s.attributes["alma.request.role"];
    // every worker span (the analysts, and the reviewer's pass over the synthesis when the pace allows) made one request
    const workers = inRun.filter((s) => s.name.startsWith("invoke_agent ") && s !== run);
    for (const worker of workers) expect(worker.parentSpanId).toBe(run!.spanId);
    expect(workers.map((w) => w.attributes["gen_ai.agent.name"]).filter((n) => n !== "analyst" && n !== "reviewer")).toEqual([]);
    expect(chats.map(role).sort()).toEqual(["plan", "synthesis", ...workers.map(() => "step")].sort());
    for (const chat of chats) {
      expect(chat.kind).toBe(SPAN_KIND.CLIENT);
      expect(chat.attributes).toMatchObject({
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": MODEL,
        "gen_ai.response.model": MODEL,
        "gen_ai.conversation.id": conversationId,
        "gen_ai.response.finish_reasons": ["stop"],
        "server.address": "127.0.0.1",
      });
      expect(chat.attributes["gen_ai.request.max_tokens"]).toBeGreaterThan(0);
      expect(chat.attributes["gen_ai.usage.input_tokens"]).toBeGreaterThan(0);
      expect(chat.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
      expect(chat.attributes["gen_ai.response.time_to_first_chunk"]).toBeGreaterThanOrEqual(0);
      expect(chat.status.code ?? 0).not.toBe(2);
    }
    // a step's model request is the child of its step's span; the plan and the synthesis are the run's own
    for (const chat of chats) {
      const parent = role(chat) === "step" ? workers.find((s) => s.attributes["alma.step.id"] === chat.attributes["alma.step.id"]) : run;
      expect(chat.parentSpanId).toBe(parent!.spanId);
    }

    // the HTTP request, by @fastify/otel, named by its route; the WebSocket upgrade is left out
    const http = spans.find((s) => s.name === "GET /api/conversations/:id");
    expect(http?.kind).toBe(SPAN_KIND.SERVER);
    expect(http?.attributes).toMatchObject({ "http.request.method": "GET", "http.route": "/api/conversations/:id", "http.response.status_code": 200 });
    expect(spans.some((s) => s.attributes["http.route"] === "/ws")).toBe(false);

    // --- metrics --------------------------------------------------------------------------------------------
    expect(receiver.requests.filter((r) => r.path === "/v1/metrics").every((r) => r.contentType.startsWith("application/json"))).toBe(true);
    // cumulative: the last export holds the totals
    const points = receiver.histogramPoints();
    const last = (metric: string) => {
      const all = points.filter((p) => p.metric === metric);
      const latest = new Map(all.map((p) => [JSON.stringify(p.attributes), p]));
      return [...latest.values()];
    };
    const tokenUsage = last("gen_ai.client.token.usage");
    const duration = last("gen_ai.client.operation.duration");
    const ttfc = last("gen_ai.client.operation.time_to_first_chunk");
    const common = { "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": MODEL, "gen_ai.response.model": MODEL };
    for (const p of [...tokenUsage, ...duration, ...ttfc]) expect(p.attributes).toMatchObject(common);
    expect(new Set(tokenUsage.map((p) => p.attributes["gen_ai.token.type"]))).toEqual(new Set(["input", "output"]));
    expect(tokenUsage[0]!.unit).toBe("{token}");
    expect(duration[0]!.unit).toBe("s");
    expect(ttfc[0]!.unit).toBe("s");
    const count = (list: typeof points) => list.reduce((n, p) => n + p.count, 0);
    const sum = (list: typeof points) => list.reduce((n, p) => n + p.sum, 0);
    // one measurement per model request, as many as there are chat spans
    expect(count(duration)).toBe(chats.length);
    expect(count(ttfc)).toBe(chats.length);
    expect(count(tokenUsage.filter((p) => p.attributes["gen_ai.token.type"] === "output"))).toBe(chats.length);
    const outputTokens = chats.reduce((n, s) => n + Number(s.attributes["gen_ai.usage.output_tokens"]), 0);
    expect(sum(tokenUsage.filter((p) => p.attributes["gen_ai.token.type"] === "output"))).toBe(outputTokens);

    // --- Prometheus: the same figures from the same measurements ---------------------------------------------
    expect(promSum(prometheus, "gen_ai_client_operation_duration_seconds_count")).toBe(chats.length);
    expect(promSum(prometheus, "gen_ai_client_operation_duration_seconds_sum")).toBeCloseTo(sum(duration), 6);
    expect(promSum(prometheus, "gen_ai_client_operation_time_to_first_chunk_seconds_sum")).toBeCloseTo(sum(ttfc), 6);
    expect(promSum(prometheus, "gen_ai_client_token_usage_sum", { gen_ai_token_type: "output" })).toBe(outputTokens);
    expect(promSum(prometheus, "gen_ai_client_token_usage_count", { gen_ai_token_type: "input", gen_ai_request_model: MODEL })).toBe(chats.length);
    // the existing series stay
    expect(prometheus).toContain('alma_runs_total{outcome="completed"} 1');
  }, 120_000);
});
