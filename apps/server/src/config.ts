import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { z } from "zod";
import { KNOWN_MODEL_PRICES, type ModelPrice, modelPriceTableSchema } from "@alma/protocol";
import { type AttachmentLimits, DEFAULT_ATTACHMENT_LIMITS } from "@alma/tools";
import { postgresUrlSetting, redisUrlSetting } from "./service-url-settings.js";

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const optionalInt = (min: number) => int(min).optional();

const WEB_PORT_MESSAGE = "expected a port number from 1 to 65535, such as 3000";
/** ALMA_WEB_PORT: digits only (no "3000.5", "0x10" or "3e3"), then the port range, one message for every mistake */
const webPortSetting = z
  .string()
  .trim()
  .regex(/^\d+$/, WEB_PORT_MESSAGE)
  .transform(Number)
  .pipe(z.number().int().min(1, WEB_PORT_MESSAGE).max(65_535, WEB_PORT_MESSAGE));

/** HOST values that name no one interface the browser would type: only localhost and 127.0.0.1 are allowed by default */
const ANY_OR_LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "0.0.0.0", "::"]);

/**
 * ALMA_ALLOWED_ORIGINS when unset: the web app's origin at ALMA_WEB_PORT as a browser on this machine opens it
 * (localhost and 127.0.0.1), plus HOST's own address when HOST names one interface (where `npm start` says to open it).
 */
export function defaultAllowedOrigins(host: string, webPort: number): string[] {
  const origins = [`http://localhost:${webPort}`, `http://127.0.0.1:${webPort}`];
  if (!ANY_OR_LOOPBACK_HOSTS.has(host)) {
    try {
      origins.push(new URL(`http://${host.includes(":") ? `[${host}]` : host}:${webPort}`).origin);
    } catch {
      // not a name a URL can hold: the server's listen reports it
    }
  }
  return origins;
}

const PRICE_EXAMPLE = '[{"model":"my-model","inputPerMillion":0.5,"outputPerMillion":1.5}]';

/** ALMA_MODEL_PRICES: a JSON array of prices (USD per million tokens), each entry checked, every problem named */
const modelPricesSetting = z.string().transform((raw, ctx): ModelPrice[] => {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: `is not JSON (${err instanceof Error ? err.message : String(err)}); expected an array like ${PRICE_EXAMPLE}` });
    return z.NEVER;
  }
  const parsed = modelPriceTableSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.length ? `${i.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}: ` : ""}${i.message}`,
    );
    ctx.addIssue({ code: "custom", message: `${problems.join("; ")}; expected an array like ${PRICE_EXAMPLE}` });
    return z.NEVER;
  }
  return parsed.data;
});

/** Every setting alma's server reads from the environment; .env.example documents each one. */
export const envSchema = z.object({
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: int(0, 65_535).default(8787),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_FORMAT: z.enum(["json", "pretty"]).default("json"),

  ALMA_PROVIDER: z.enum(["openai", "local", "scripted"]).optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url().optional(),
  OPENAI_MODEL: z.string().min(1).default("gpt-4o-mini"),
  ALMA_MODEL: z.string().min(1).optional(),
  ALMA_MODEL_CACHE_DIR: z.string().min(1).optional(),
  ALMA_THREADS: int(1, 256).default(1),
  HF_ENDPOINT: z.url().optional(),
  ALMA_SCRIPTED_TPS: z.coerce.number().min(0).default(50),
  ALMA_CONTEXT_SIZE: optionalInt(256),
  ALMA_CONTEXT_WINDOW: optionalInt(256),
  ALMA_MAX_OUTPUT_TOKENS: optionalInt(1),
  ALMA_PROVIDER_MAX_RETRIES: int(0, 10).default(3),
  ALMA_TTFT_TIMEOUT_MS: int(100).optional(),
  /** the earlier name of ALMA_TTFT_TIMEOUT_MS, still read when that one is unset */
  ALMA_FIRST_TOKEN_TIMEOUT_MS: int(100).optional(),
  ALMA_IDLE_TIMEOUT_MS: int(100).default(20_000),

  ALMA_DB_PATH: z.string().min(1).default("data/alma.db"),
  /** PostgreSQL instead of SQLite (several servers on one database); unset: SQLite at ALMA_DB_PATH */
  ALMA_DATABASE_URL: postgresUrlSetting.optional(),
  ALMA_UNDO_WINDOW_MS: int(0).default(30_000),

  /** live runs, stops, conversation changes, the answer cache and the rate limits shared through Redis; unset: in-process */
  ALMA_REDIS_URL: redisUrlSetting.optional(),
  /** every Redis key of this deployment starts with it: several deployments (or test files) can share one Redis */
  ALMA_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:._-]{1,64}$/, "use 1 to 64 letters, digits, ':', '.', '_' or '-', such as alma: or alma-staging:")
    .default("alma:"),
  /** this server among several (in logs and Redis); default: a random id per process */
  ALMA_INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, "use 1 to 100 letters, digits, '.', '_' or '-', such as alma-1")
    .optional(),
  /** an instance whose heartbeat is older than this is taken for dead and its answers marked interrupted */
  ALMA_INSTANCE_TTL_MS: int(1000, 600_000).default(10_000),

  /** the web app's port (`npm start`, and apps/web's start and dev scripts, read it too) */
  ALMA_WEB_PORT: webPortSetting.default(3000),
  /** unset: defaultAllowedOrigins(HOST, ALMA_WEB_PORT) */
  ALMA_ALLOWED_ORIGINS: z
    .string()
    .transform((s) =>
      s
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ message: "each origin must be a URL like http://localhost:3000" })))
    .optional(),
  ALMA_AUTH_TOKEN: z.string().min(16, "use at least 16 characters").optional(),
  /**
   * the proxies (nginx, a load balancer) whose X-Forwarded-For names the client: addresses, CIDR ranges, or
   * proxy-addr's names loopback / linklocal / uniquelocal. Unset: the socket's address is the client's.
   */
  ALMA_TRUSTED_PROXIES: z
    .string()
    .default("")
    .transform((s) =>
      s
        .split(",")
        .map((p) => p.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z.union([z.enum(["loopback", "linklocal", "uniquelocal"]), z.cidrv4(), z.cidrv6(), z.ipv4(), z.ipv6()], {
          message: "each proxy must be an address (10.0.0.5), a range (10.0.0.0/8), or loopback / linklocal / uniquelocal",
        }),
      ),
    ),

  ALMA_MAX_FRAME_BYTES: int(1024, 64 * 1024 * 1024).default(1024 * 1024),
  ALMA_RUN_DEADLINE_MS: int(1000).default(60_000),
  ALMA_MAX_RUNS_PER_CONNECTION: int(1, 100).default(2),
  ALMA_MAX_RUNS_PER_SERVER: int(1, 10_000).default(16),
  ALMA_MESSAGES_PER_MINUTE: int(1, 100_000).default(30),
  ALMA_MAX_CONNECTIONS: int(1, 100_000).default(200),
  ALMA_HTTP_REQUESTS_PER_MINUTE: int(1, 1_000_000).default(600),
  ALMA_RESUME_GRACE_MS: int(0).default(15_000),
  ALMA_REPLAY_BUFFER_EVENTS: int(16, 1_000_000).default(8192),
  ALMA_REPLAY_BUFFER_BYTES: int(64 * 1024).default(8 * 1024 * 1024),
  ALMA_FLUSH_INTERVAL_MS: int(50).default(500),
  ALMA_SHUTDOWN_DEADLINE_MS: int(0).default(10_000),
  ALMA_HANDSHAKE_TIMEOUT_MS: int(100).default(10_000),
  ALMA_HEARTBEAT_MS: int(100).default(30_000),

  ALMA_MODEL_PRICES: modelPricesSetting.optional(),

  ALMA_ATTACHMENT_MAX_BYTES: int(1, 1024 * 1024 * 1024).default(DEFAULT_ATTACHMENT_LIMITS.maxBytes),
  ALMA_ATTACHMENTS_PER_CONVERSATION: int(1, 10_000).default(DEFAULT_ATTACHMENT_LIMITS.maxCount),
  ALMA_ATTACHMENTS_MAX_TOTAL_BYTES: int(1, 16 * 1024 * 1024 * 1024).optional(),

  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: z.url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default("alma-server"),
  OTEL_METRIC_EXPORT_INTERVAL: int(100).default(60_000),
  OTEL_SDK_DISABLED: z.enum(["true", "false"]).default("false"),
});

export type Env = z.infer<typeof envSchema>;

export interface AppConfig {
  host: string;
  port: number;
  logLevel: Env["LOG_LEVEL"];
  /** json for machines (the default), pretty for a person at a terminal (`npm start` sets it) */
  logFormat: Env["LOG_FORMAT"];
  /** resolved: the explicit ALMA_PROVIDER, else openai when an OpenAI key or URL is set, else local */
  provider: "openai" | "local" | "scripted";
  openai: { apiKey: string | null; baseUrl: string | null; model: string };
  local: { model: string | null; cacheDir: string | null; threads: number; contextSize: number | null; hfEndpoint: string | null };
  /** tokens per second of the scripted provider (tests and benchmarks) */
  scriptedTokensPerSecond: number;
  /** overrides the model's reported context window */
  contextWindow: number | null;
  /** caps every answer's output tokens; null: each task type's own default */
  maxOutputTokens: number | null;
  providerMaxRetries: number;
  /** a run fails with provider_timeout when the first token takes longer (ALMA_TTFT_TIMEOUT_MS) */
  firstTokenTimeoutMs: number;
  /** a run fails with provider_timeout when the model sends nothing for this long between tokens */
  idleTimeoutMs: number;
  /** absolute path, or ":memory:"; the SQLite database when databaseUrl is null (and the answer cache's folder) */
  dbPath: string;
  /** ALMA_DATABASE_URL: conversations in PostgreSQL; null: in SQLite at dbPath */
  databaseUrl: string | null;
  /** ALMA_REDIS_URL and its companions; null: live runs stay in this process (one server) */
  redis: RedisConfig | null;
  /** ALMA_INSTANCE_ID, or a random id for this process */
  instanceId: string;
  undoWindowMs: number;
  /** ALMA_ALLOWED_ORIGINS, else the web app's origins at ALMA_WEB_PORT (defaultAllowedOrigins) */
  allowedOrigins: string[];
  /** whose X-Forwarded-For is believed (Fastify's trustProxy); empty: none */
  trustedProxies: string[];
  authToken: string | null;
  maxFrameBytes: number;
  runDeadlineMs: number;
  limits: {
    maxRunsPerConnection: number;
    maxRunsPerServer: number;
    messagesPerMinute: number;
    maxConnections: number;
    httpRequestsPerMinute: number;
  };
  resumeGraceMs: number;
  replayBufferEvents: number;
  replayBufferBytes: number;
  flushIntervalMs: number;
  shutdownDeadlineMs: number;
  handshakeTimeoutMs: number;
  heartbeatMs: number;
  /** what answers cost: ALMA_MODEL_PRICES's entries, then the known prices of the models they do not name */
  modelPrices: ModelPrice[];
  /** per file, files per conversation, and all of a conversation's files together (never below one file's limit) */
  attachments: AttachmentLimits;
  /** OpenTelemetry export (OTLP/HTTP JSON); null when no OTLP endpoint is set (nothing is loaded or recorded then) */
  telemetry: TelemetryConfig | null;
}

export interface RedisConfig {
  url: string;
  /** every key and channel starts with it */
  prefix: string;
  /** how long a silent instance's heartbeat lives; it beats every third of it */
  instanceTtlMs: number;
}

export interface TelemetryConfig {
  /** where spans go (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces); null: not exported */
  tracesUrl: string | null;
  /** where metrics go (OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/metrics); null: not exported */
  metricsUrl: string | null;
  serviceName: string;
  /** how often metrics are exported (OTEL_METRIC_EXPORT_INTERVAL, ms); the last figures also go out at shutdown */
  metricExportIntervalMs: number;
}

/** the user's prices first, then the known ones for every model they leave out */
export function mergeModelPrices(user: readonly ModelPrice[]): ModelPrice[] {
  const named = new Set(user.map((p) => p.model.toLowerCase()));
  return [...user, ...KNOWN_MODEL_PRICES.filter((p) => !named.has(p.model.toLowerCase()))];
}

function telemetryConfig(e: Env): TelemetryConfig | null {
  if (e.OTEL_SDK_DISABLED === "true") return null;
  const base = e.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, "");
  const tracesUrl = e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base ? `${base}/v1/traces` : null);
  const metricsUrl = e.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT ?? (base ? `${base}/v1/metrics` : null);
  if (!tracesUrl && !metricsUrl) return null;
  return { tracesUrl, metricsUrl, serviceName: e.OTEL_SERVICE_NAME, metricExportIntervalMs: e.OTEL_METRIC_EXPORT_INTERVAL };
}

/** Names every bad setting with what was expected, so the fix is obvious from the first line of the log. */
export class ConfigError extends Error {
  readonly problems: Array<{ setting: string; message: string }>;

  constructor(problems: Array<{ setting: string; message: string }>) {
    super(
      `Invalid server configuration:\n${problems.map((p) => `  ${p.setting}: ${p.message}`).join("\n")}\n` +
        "Fix these environment variables (see .env.example) and start again.",
    );
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** Reads and validates the settings; empty variables count as unset. `cwd` anchors a relative ALMA_DB_PATH. */
export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): AppConfig {
  const known = Object.keys(envSchema.shape);
  const input = Object.fromEntries(known.map((k) => [k, env[k]?.trim() === "" ? undefined : env[k]]));
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const setting = String(issue.path[0] ?? "(environment)");
        const secret = /KEY|TOKEN|DATABASE_URL|REDIS_URL/.test(setting);
        const got = input[setting];
        return { setting, message: `${issue.message}${got !== undefined && !secret ? ` (got "${got}")` : ""}` };
      }),
    );
  }
  const e = parsed.data;
  return {
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    provider: e.ALMA_PROVIDER ?? (e.OPENAI_API_KEY || e.OPENAI_BASE_URL ? "openai" : "local"),
    openai: { apiKey: e.OPENAI_API_KEY ?? null, baseUrl: e.OPENAI_BASE_URL ?? null, model: e.OPENAI_MODEL },
    local: {
      model: e.ALMA_MODEL ?? null,
      cacheDir: e.ALMA_MODEL_CACHE_DIR ? resolve(cwd, e.ALMA_MODEL_CACHE_DIR) : null,
      threads: e.ALMA_THREADS,
      contextSize: e.ALMA_CONTEXT_SIZE ?? null,
      hfEndpoint: e.HF_ENDPOINT ?? null,
    },
    scriptedTokensPerSecond: e.ALMA_SCRIPTED_TPS,
    contextWindow: e.ALMA_CONTEXT_WINDOW ?? null,
    maxOutputTokens: e.ALMA_MAX_OUTPUT_TOKENS ?? null,
    providerMaxRetries: e.ALMA_PROVIDER_MAX_RETRIES,
    firstTokenTimeoutMs: e.ALMA_TTFT_TIMEOUT_MS ?? e.ALMA_FIRST_TOKEN_TIMEOUT_MS ?? 30_000,
    idleTimeoutMs: e.ALMA_IDLE_TIMEOUT_MS,
    dbPath: e.ALMA_DB_PATH === ":memory:" ? ":memory:" : resolve(cwd, e.ALMA_DB_PATH),
    databaseUrl: e.ALMA_DATABASE_URL ?? null,
    redis: e.ALMA_REDIS_URL ? { url: e.ALMA_REDIS_URL, prefix: e.ALMA_REDIS_PREFIX, instanceTtlMs: e.ALMA_INSTANCE_TTL_MS } : null,
    instanceId: e.ALMA_INSTANCE_ID ?? randomUUID(),
    undoWindowMs: e.ALMA_UNDO_WINDOW_MS,
    allowedOrigins: (e.ALMA_ALLOWED_ORIGINS ?? defaultAllowedOrigins(e.HOST, e.ALMA_WEB_PORT)).map((o) => new URL(o).origin),
    trustedProxies: e.ALMA_TRUSTED_PROXIES,
    authToken: e.ALMA_AUTH_TOKEN ?? null,
    maxFrameBytes: e.ALMA_MAX_FRAME_BYTES,
    runDeadlineMs: e.ALMA_RUN_DEADLINE_MS,
    limits: {
      maxRunsPerConnection: e.ALMA_MAX_RUNS_PER_CONNECTION,
      maxRunsPerServer: e.ALMA_MAX_RUNS_PER_SERVER,
      messagesPerMinute: e.ALMA_MESSAGES_PER_MINUTE,
      maxConnections: e.ALMA_MAX_CONNECTIONS,
      httpRequestsPerMinute: e.ALMA_HTTP_REQUESTS_PER_MINUTE,
    },
    resumeGraceMs: e.ALMA_RESUME_GRACE_MS,
    replayBufferEvents: e.ALMA_REPLAY_BUFFER_EVENTS,
    replayBufferBytes: e.ALMA_REPLAY_BUFFER_BYTES,
    flushIntervalMs: e.ALMA_FLUSH_INTERVAL_MS,
    shutdownDeadlineMs: e.ALMA_SHUTDOWN_DEADLINE_MS,
    handshakeTimeoutMs: e.ALMA_HANDSHAKE_TIMEOUT_MS,
    heartbeatMs: e.ALMA_HEARTBEAT_MS,
    modelPrices: mergeModelPrices(e.ALMA_MODEL_PRICES ?? []),
    attachments: {
      maxBytes: e.ALMA_ATTACHMENT_MAX_BYTES,
      maxCount: e.ALMA_ATTACHMENTS_PER_CONVERSATION,
      maxTotalBytes: e.ALMA_ATTACHMENTS_MAX_TOTAL_BYTES ?? Math.max(DEFAULT_ATTACHMENT_LIMITS.maxTotalBytes, e.ALMA_ATTACHMENT_MAX_BYTES),
    },
    telemetry: telemetryConfig(e),
  };
}
