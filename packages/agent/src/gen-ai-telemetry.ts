import { type Attributes, type Context, context, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { ChatModel } from "@alma/llm";
import type { RequestMetrics, RequestRole } from "@alma/protocol";
import type { AgentRunInput } from "./agent-run.js";

/**
 * The OpenTelemetry GenAI semantic conventions' names alma uses (https://opentelemetry.io/docs/specs/semconv/gen-ai/).
 * The agent depends on `@opentelemetry/api` only: with no SDK registered (the server starts one only when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set) every span below is the API's no-op span.
 */
export const GEN_AI = {
  operationName: "gen_ai.operation.name",
  providerName: "gen_ai.provider.name",
  agentName: "gen_ai.agent.name",
  conversationId: "gen_ai.conversation.id",
  requestModel: "gen_ai.request.model",
  requestMaxTokens: "gen_ai.request.max_tokens",
  requestTemperature: "gen_ai.request.temperature",
  outputType: "gen_ai.output.type",
  responseModel: "gen_ai.response.model",
  responseFinishReasons: "gen_ai.response.finish_reasons",
  responseTimeToFirstChunk: "gen_ai.response.time_to_first_chunk",
  usageInputTokens: "gen_ai.usage.input_tokens",
  usageOutputTokens: "gen_ai.usage.output_tokens",
  tokenType: "gen_ai.token.type",
  errorType: "error.type",
  serverAddress: "server.address",
  serverPort: "server.port",
  toolName: "gen_ai.tool.name",
  toolCallId: "gen_ai.tool.call.id",
  toolType: "gen_ai.tool.type",
} as const;

/** alma's own attributes beside the conventions' */
export const ALMA_ATTR = {
  requestRole: "alma.request.role",
  stepId: "alma.step.id",
  stepTitle: "alma.step.title",
  stepStatus: "alma.step.status",
  taskType: "alma.task_type",
  cacheHit: "alma.cache_hit",
  finishReason: "alma.finish_reason",
  messageId: "alma.message.id",
  retries: "alma.request.retries",
  toolOk: "alma.tool.ok",
} as const;

/** the agent every run is invoked as */
export const MANAGER_AGENT = "manager";

const TRACER_NAME = "@alma/agent";

/** read per span, so a tracer provider registered (or replaced) after this module loaded is used */
const tracer = () => trace.getTracer(TRACER_NAME);

/** What a model request's telemetry says about the model and where it runs. */
export function modelAttributes(model: ChatModel): Attributes {
  const attrs: Attributes = { [GEN_AI.providerName]: model.provider, [GEN_AI.requestModel]: model.model };
  const server = (model as { baseURL?: unknown }).baseURL;
  if (typeof server === "string") {
    try {
      const url = new URL(server);
      attrs[GEN_AI.serverAddress] = url.hostname;
      attrs[GEN_AI.serverPort] = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    } catch {
      // not a URL: no server attributes
    }
  }
  return attrs;
}

/**
 * An `invoke_agent {agent}` span (the run's, or a step's worker): `within` makes it the parent of the spans started
 * inside. `root` starts a trace of its own (a run is not part of the WebSocket request that asked for it).
 */
export class AgentSpan {
  readonly span: Span;
  private readonly ctx: Context;

  constructor(agent: string, attributes: Attributes, opts: { root?: boolean } = {}) {
    this.span = tracer().startSpan(
      `invoke_agent ${agent}`,
      { kind: SpanKind.INTERNAL, attributes: { [GEN_AI.operationName]: "invoke_agent", [GEN_AI.agentName]: agent, ...attributes }, root: opts.root ?? false },
      context.active(),
    );
    this.ctx = trace.setSpan(context.active(), this.span);
  }

  within<T>(fn: () => T): T {
    return context.with(this.ctx, fn);
  }

  /** ends the span failed with what was thrown */
  threw(err: unknown): void {
    this.span.recordException(err instanceof Error ? err : String(err));
    markSpanFailed(this.span, "_OTHER", err instanceof Error ? err.message : String(err));
  }

  end(): void {
    this.span.end();
  }
}

/** Runs `fn` inside an AgentSpan that ends when `fn` settles. */
export async function inAgentSpan<T>(agent: string, attributes: Attributes, fn: (span: Span) => Promise<T>, opts: { root?: boolean } = {}): Promise<T> {
  const agentSpan = new AgentSpan(agent, attributes, opts);
  try {
    return await agentSpan.within(() => fn(agentSpan.span));
  } catch (err) {
    agentSpan.threw(err);
    throw err;
  } finally {
    agentSpan.end();
  }
}

/** marks a span failed with the error's type (an LlmError code, a run's error code) */
export function markSpanFailed(span: Span, type: string, message: string): void {
  span.setAttribute(GEN_AI.errorType, type);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** What the server's meter is told of a model request beside its metrics (labels of the gen_ai metrics). */
export interface RequestTelemetry {
  /** gen_ai.provider.name */
  provider: string;
  /** gen_ai.request.model */
  requestModel: string;
  /** gen_ai.response.model: the model the provider said answered, else the requested one */
  responseModel: string;
  /** error.type: an LlmError code, or null when the request did not fail */
  errorType: string | null;
}

/** How a model request ended, as far as its span tells. */
export interface ModelRequestEnd {
  finishReason: string;
  error: { code: string; message: string } | null;
  responseModel: string | null;
}

/**
 * One model request of a run, from before it is sent to its end: its `chat {model}` span, and the one report of it
 * to the run's meter (its RequestMetrics and the labels the server's gen_ai metrics are recorded with). Every model
 * request goes through this: RunScope.generate's and the classify request.
 */
export class ModelRequest {
  private readonly span: Span;
  private retries = 0;
  private ended = false;

  constructor(
    private readonly input: Pick<AgentRunInput, "conversationId" | "meter">,
    private readonly model: ChatModel,
    what: { role: RequestRole; stepId: string | null; agent: string; temperature?: number; json?: boolean },
  ) {
    const attributes: Attributes = {
      [GEN_AI.operationName]: "chat",
      ...modelAttributes(model),
      [GEN_AI.conversationId]: input.conversationId,
      [GEN_AI.outputType]: what.json ? "json" : "text",
      [GEN_AI.agentName]: what.agent,
      [ALMA_ATTR.requestRole]: what.role,
    };
    if (what.temperature !== undefined) attributes[GEN_AI.requestTemperature] = what.temperature;
    if (what.stepId !== null) attributes[ALMA_ATTR.stepId] = what.stepId;
    this.span = tracer().startSpan(`chat ${model.model}`, { kind: SpanKind.CLIENT, attributes }, context.active());
  }

  /** a retry of the request before its first token (rate limit, outage, a refusal for length) */
  retried(reason: string, delayMs?: number): void {
    this.retries++;
    this.span.addEvent("retry", { attempt: this.retries, reason, ...(delayMs !== undefined ? { delay_ms: delayMs } : {}) });
  }

  /** the request could not be made or measured (it threw): its span ends failed, nothing is metered */
  fail(err: unknown): void {
    if (this.ended) return;
    this.ended = true;
    markSpanFailed(this.span, "_OTHER", err instanceof Error ? err.message : String(err));
    this.span.end();
  }

  /** the request ended: its span gets the response's figures and ends, and the run's meter gets its metrics */
  end(metrics: RequestMetrics, end: ModelRequestEnd): void {
    if (this.ended) return;
    this.ended = true;
    const responseModel = end.responseModel ?? this.model.model;
    this.span.setAttributes({
      [GEN_AI.requestMaxTokens]: metrics.maxTokens,
      [GEN_AI.responseModel]: responseModel,
      [GEN_AI.usageInputTokens]: metrics.promptTokens,
      [GEN_AI.usageOutputTokens]: metrics.completionTokens,
      [GEN_AI.responseFinishReasons]: [metrics.finishReason],
      [ALMA_ATTR.finishReason]: metrics.finishReason,
      [ALMA_ATTR.retries]: this.retries,
    });
    if (metrics.firstTokenMs !== null) this.span.setAttribute(GEN_AI.responseTimeToFirstChunk, Math.max(0, metrics.firstTokenMs - metrics.startMs) / 1000);
    if (end.error) markSpanFailed(this.span, end.error.code, end.error.message);
    this.span.end();
    this.input.meter.request?.(metrics, {
      provider: this.model.provider,
      requestModel: this.model.model,
      responseModel,
      errorType: end.error?.code ?? null,
    });
  }
}

/**
 * One tool call's `execute_tool {tool}` span, a child of the span active when it starts (the step's worker): the
 * conventions' tool name and call id, and how it ended.
 */
export class ToolSpan {
  private readonly span: Span;

  constructor(what: { tool: string; callId: string; agent: string; stepId: string | null }) {
    const attributes: Attributes = {
      [GEN_AI.operationName]: "execute_tool",
      [GEN_AI.toolName]: what.tool,
      [GEN_AI.toolCallId]: what.callId,
      [GEN_AI.toolType]: "function",
      [GEN_AI.agentName]: what.agent,
    };
    if (what.stepId !== null) attributes[ALMA_ATTR.stepId] = what.stepId;
    this.span = tracer().startSpan(`execute_tool ${what.tool}`, { kind: SpanKind.INTERNAL, attributes }, context.active());
  }

  end(outcome: { ok: true } | { ok: false; error: { code: string; message: string } }): void {
    this.span.setAttribute(ALMA_ATTR.toolOk, outcome.ok);
    if (!outcome.ok) markSpanFailed(this.span, outcome.error.code, outcome.error.message);
    this.span.end();
  }
}
