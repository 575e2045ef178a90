import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

/** An OTLP attribute value as OTLP/HTTP JSON writes it. */
interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
}
type OtlpAttributes = Array<{ key: string; value: OtlpAnyValue }>;
export type AttributeValue = string | number | boolean | AttributeValue[] | null;

export interface ReceivedSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  attributes: Record<string, AttributeValue>;
  events: Array<{ name: string; attributes: Record<string, AttributeValue> }>;
  status: { code?: number; message?: string };
  /** the resource's attributes (service.name, ...) */
  resource: Record<string, AttributeValue>;
  scope: string;
}

export interface ReceivedHistogramPoint {
  metric: string;
  unit: string;
  attributes: Record<string, AttributeValue>;
  count: number;
  sum: number;
  explicitBounds: number[];
}

export interface OtlpReceiver {
  /** the base URL, as OTEL_EXPORTER_OTLP_ENDPOINT would be set */
  url: string;
  /** how many export requests arrived per path, and what Content-Type they had */
  requests: Array<{ path: string; contentType: string }>;
  spans(): ReceivedSpan[];
  /** every histogram data point of every export (cumulative temporality: the newest export holds the totals) */
  histogramPoints(): ReceivedHistogramPoint[];
  close(): Promise<void>;
}

function value(v: OtlpAnyValue): AttributeValue {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(value);
  return null;
}

function attributes(list: OtlpAttributes | undefined): Record<string, AttributeValue> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, value(a.value)]));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return req.headers["content-encoding"] === "gzip" ? gunzipSync(body) : body;
}

interface TraceExport {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttributes };
    scopeSpans?: Array<{
      scope?: { name?: string };
      spans?: Array<{
        name: string;
        kind: number;
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        attributes?: OtlpAttributes;
        events?: Array<{ name: string; attributes?: OtlpAttributes }>;
        status?: { code?: number; message?: string };
      }>;
    }>;
  }>;
}

interface MetricsExport {
  resourceMetrics?: Array<{
    scopeMetrics?: Array<{
      metrics?: Array<{
        name: string;
        unit?: string;
        histogram?: {
          dataPoints?: Array<{ attributes?: OtlpAttributes; count: number | string; sum?: number; explicitBounds?: number[] }>;
        };
      }>;
    }>;
  }>;
}

/**
 * A collector in the test's own process: accepts OTLP/HTTP JSON at /v1/traces and /v1/metrics on 127.0.0.1 and
 * keeps what it was sent, parsed into spans and histogram points.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const traces: TraceExport[] = [];
  const metricExports: MetricsExport[] = [];
  const requests: OtlpReceiver["requests"] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = req.url ?? "";
      requests.push({ path, contentType: String(req.headers["content-type"] ?? "") });
      if (req.method !== "POST" || (path !== "/v1/traces" && path !== "/v1/metrics")) {
        res.writeHead(404).end();
        return;
      }
      let json: unknown;
      try {
        json = JSON.parse(body.toString("utf8"));
      } catch {
        res.writeHead(400, { "content-type": "application/json" }).end('{"message":"this test collector takes OTLP/HTTP JSON only"}');
        return;
      }
      if (path === "/v1/traces") traces.push(json as TraceExport);
      else metricExports.push(json as MetricsExport);
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    spans: () =>
      traces.flatMap((t) =>
        (t.resourceSpans ?? []).flatMap((rs) =>
          (rs.scopeSpans ?? []).flatMap((ss) =>
            (ss.spans ?? []).map((s) => ({
              name: s.name,
              kind: s.kind,
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ? s.parentSpanId : null,
              attributes: attributes(s.attributes),
              events: (s.events ?? []).map((e) => ({ name: e.name, attributes: attributes(e.attributes) })),
              status: s.status ?? {},
              resource: attributes(rs.resource?.attributes),
              scope: ss.scope?.name ?? "",
            })),
          ),
        ),
      ),
    histogramPoints: () =>
      metricExports.flatMap((m) =>
        (m.resourceMetrics ?? []).flatMap((rm) =>
          (rm.scopeMetrics ?? []).flatMap((sm) =>
            (sm.metrics ?? []).flatMap((metric) =>
              (metric.histogram?.dataPoints ?? []).map((p) => ({
                metric: metric.name,
                unit: metric.unit ?? "",
                attributes: attributes(p.attributes),
                count: Number(p.count),
                sum: p.sum ?? 0,
                explicitBounds: p.explicitBounds ?? [],
              })),
            ),
          ),
        ),
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
