import { context, diag, metrics, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import { FastifyOtelInstrumentation } from "@fastify/otel";
import type { FastifyPluginCallback } from "fastify";
import type { TelemetryConfig } from "../config.js";
import { SERVER_VERSION } from "../server-version.js";

/** The OpenTelemetry SDK the server runs while OTLP export is configured. */
export interface Telemetry {
  readonly config: TelemetryConfig;
  /** HTTP request spans (@fastify/otel); registered by buildApp before the routes */
  readonly fastifyPlugin: FastifyPluginCallback;
  /** exports what is buffered now (spans, and the metrics' current figures) */
  flush(): Promise<void>;
  /** flushes, stops exporting and unregisters the global providers; at most `timeoutMs` */
  shutdown(timeoutMs?: number): Promise<void>;
}

/** the paths whose requests get no HTTP span: the WebSocket upgrade lives as long as its socket */
const UNTRACED_PATH = /^\/ws(?:[/?]|$)/;

/**
 * Starts the SDK: spans (batched) and metrics (every `metricExportIntervalMs`) exported over OTLP/HTTP as JSON,
 * W3C trace context, async-local context so the agent's spans nest, and the providers made global so the agent's
 * `@opentelemetry/api` calls reach them. Only loaded when an OTLP endpoint is set (main.ts imports it then).
 * OTEL_EXPORTER_OTLP_HEADERS (and the other OTEL_EXPORTER_OTLP_* settings) are read by the exporters themselves.
 */
export function startTelemetry(config: TelemetryConfig): Telemetry {
  const resource = defaultResource()
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName, [ATTR_SERVICE_VERSION]: SERVER_VERSION }));

  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());

  const tracerProvider = new BasicTracerProvider({
    resource,
    spanProcessors: config.tracesUrl ? [new BatchSpanProcessor(new OTLPTraceExporter({ url: config.tracesUrl }))] : [],
  });
  trace.setGlobalTracerProvider(tracerProvider);

  const meterProvider = new MeterProvider({
    resource,
    readers: config.metricsUrl
      ? [
          new PeriodicExportingMetricReader({
            exporter: new OTLPMetricExporter({ url: config.metricsUrl }),
            exportIntervalMillis: config.metricExportIntervalMs,
            exportTimeoutMillis: Math.min(30_000, config.metricExportIntervalMs),
          }),
        ]
      : [],
  });
  metrics.setGlobalMeterProvider(meterProvider);

  const http = new FastifyOtelInstrumentation({
    ignorePaths: (route: { url: string }) => UNTRACED_PATH.test(route.url),
    // the span is named as HTTP's conventions say: method and route
    requestHook: (span, request) => span.updateName(`${request.method} ${request.routeOptions.url ?? request.url}`),
  });
  http.setTracerProvider(tracerProvider);
  http.setMeterProvider(meterProvider);

  let stopped: Promise<void> | null = null;
  const flush = async () => {
    await Promise.all([tracerProvider.forceFlush(), meterProvider.forceFlush()]);
  };
  return {
    config,
    fastifyPlugin: http.plugin() as FastifyPluginCallback,
    flush,
    shutdown(timeoutMs = 5_000) {
      stopped ??= (async () => {
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            diag.warn(`OpenTelemetry: shutting down took longer than ${timeoutMs} ms; what was not exported is dropped`);
            resolve();
          }, timeoutMs);
        });
        try {
          await Promise.race([Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]), deadline]);
        } finally {
          clearTimeout(timer);
          trace.disable();
          metrics.disable();
          propagation.disable();
          context.disable();
        }
      })();
      return stopped;
    },
  };
}
