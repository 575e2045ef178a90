import { type Attributes, type Histogram as OtelHistogram, type Meter, metrics } from "@opentelemetry/api";
import { Histogram, type Registry } from "prom-client";
import { ALMA_ATTR, GEN_AI, type RequestTelemetry } from "@alma/agent";
import type { RequestMetrics } from "@alma/protocol";

/** The GenAI client metrics' names (OpenTelemetry semantic conventions, gen-ai-metrics). */
export const GEN_AI_METRICS = {
  tokenUsage: "gen_ai.client.token.usage",
  operationDuration: "gen_ai.client.operation.duration",
  timeToFirstChunk: "gen_ai.client.operation.time_to_first_chunk",
} as const;

// the bucket boundaries the conventions advise
export const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
export const SECONDS_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

/** What one model request measured, in the conventions' units, with the attributes it is recorded under. */
export interface GenAiMeasurement {
  attributes: Record<string, string>;
  durationSeconds: number;
  /** null when no chunk arrived */
  timeToFirstChunkSeconds: number | null;
  inputTokens: number;
  outputTokens: number;
}

/**
 * The one formula from a request's metrics (RunMeter's figures, offsets from the run's receipt) to the GenAI
 * measurements: duration from the request going out to its end, time to first chunk from going out to the first
 * text, and its tokens. Both exports (Prometheus and OTLP) record exactly these.
 */
export function genAiMeasurement(request: RequestMetrics, telemetry: RequestTelemetry): GenAiMeasurement {
  const attributes: Record<string, string> = {
    [GEN_AI.operationName]: "chat",
    [GEN_AI.providerName]: telemetry.provider,
    [GEN_AI.requestModel]: telemetry.requestModel,
    [GEN_AI.responseModel]: telemetry.responseModel,
    [ALMA_ATTR.requestRole]: request.role,
  };
  if (telemetry.errorType !== null) attributes[GEN_AI.errorType] = telemetry.errorType;
  return {
    attributes,
    durationSeconds: Math.max(0, request.endMs - request.startMs) / 1000,
    timeToFirstChunkSeconds: request.firstTokenMs === null ? null : Math.max(0, request.firstTokenMs - request.startMs) / 1000,
    inputTokens: request.promptTokens,
    outputTokens: request.completionTokens,
  };
}

const LABELS = [GEN_AI.operationName, GEN_AI.providerName, GEN_AI.requestModel, GEN_AI.responseModel, ALMA_ATTR.requestRole, GEN_AI.errorType];
/** Prometheus label names cannot hold dots: gen_ai.request.model is gen_ai_request_model */
const promLabel = (attribute: string) => attribute.replaceAll(".", "_");
const promLabels = (attributes: Record<string, string>) => Object.fromEntries(Object.entries(attributes).map(([k, v]) => [promLabel(k), v]));

/**
 * The GenAI client metrics of every model request, recorded twice from one measurement: into the app's
 * Prometheus registry (GET /metrics: gen_ai_client_token_usage, gen_ai_client_operation_duration_seconds,
 * gen_ai_client_operation_time_to_first_chunk_seconds) and into OpenTelemetry instruments (exported over OTLP
 * when the SDK runs; the API's no-op meter otherwise).
 */
export class GenAiMetrics {
  private readonly prom: { tokens: Histogram; duration: Histogram; ttfc: Histogram };
  private readonly otel: { tokens: OtelHistogram; duration: OtelHistogram; ttfc: OtelHistogram };

  constructor(registry: Registry, meter: Meter = metrics.getMeter("@alma/server")) {
    const labelNames = LABELS.map(promLabel);
    this.prom = {
      tokens: new Histogram({
        name: "gen_ai_client_token_usage",
        help: `${GEN_AI_METRICS.tokenUsage}: tokens per model request, by ${promLabel(GEN_AI.tokenType)} (input, output)`,
        labelNames: [...labelNames, promLabel(GEN_AI.tokenType)],
        buckets: TOKEN_BUCKETS,
        registers: [registry],
      }),
      duration: new Histogram({
        name: "gen_ai_client_operation_duration_seconds",
        help: `${GEN_AI_METRICS.operationDuration}: seconds from a model request going out to its end`,
        labelNames,
        buckets: SECONDS_BUCKETS,
        registers: [registry],
      }),
      ttfc: new Histogram({
        name: "gen_ai_client_operation_time_to_first_chunk_seconds",
        help: `${GEN_AI_METRICS.timeToFirstChunk}: seconds from a streamed model request going out to its first chunk`,
        labelNames,
        buckets: SECONDS_BUCKETS,
        registers: [registry],
      }),
    };
    this.otel = {
      tokens: meter.createHistogram(GEN_AI_METRICS.tokenUsage, {
        description: "Number of input and output tokens used per model request",
        unit: "{token}",
        advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
      }),
      duration: meter.createHistogram(GEN_AI_METRICS.operationDuration, {
        description: "GenAI operation duration",
        unit: "s",
        advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
      }),
      ttfc: meter.createHistogram(GEN_AI_METRICS.timeToFirstChunk, {
        description: "Time to receive the first chunk of a streamed response",
        unit: "s",
        advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
      }),
    };
  }

  /** one model request ended */
  record(request: RequestMetrics, telemetry: RequestTelemetry): void {
    const m = genAiMeasurement(request, telemetry);
    const labels = promLabels(m.attributes);
    const attrs: Attributes = m.attributes;
    this.prom.duration.observe(labels, m.durationSeconds);
    this.otel.duration.record(m.durationSeconds, attrs);
    if (m.timeToFirstChunkSeconds !== null) {
      this.prom.ttfc.observe(labels, m.timeToFirstChunkSeconds);
      this.otel.ttfc.record(m.timeToFirstChunkSeconds, attrs);
    }
    // a request refused before it was answered used no tokens: no usage to record
    if (m.inputTokens + m.outputTokens === 0) return;
    for (const [type, tokens] of [
      ["input", m.inputTokens],
      ["output", m.outputTokens],
    ] as const) {
      this.prom.tokens.observe({ ...labels, [promLabel(GEN_AI.tokenType)]: type }, tokens);
      this.otel.tokens.record(tokens, { ...attrs, [GEN_AI.tokenType]: type });
    }
  }
}
