import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginCallback, type FastifyServerOptions } from "fastify";
import cors from "@fastify/cors";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { LocalChatModel, type ChatModel } from "@alma/llm";
import type { ConversationStore } from "@alma/store";
import type { AppConfig } from "./config.js";
import { ChatService } from "./chat/chat-service.js";
import { AppMetrics } from "./metrics/app-metrics.js";
import { OneLineRequestLog } from "./log-request.js";
import { healthPlugin } from "./plugins/health.js";
import { metricsPlugin } from "./plugins/metrics.js";
import { conversationsApiPlugin } from "./plugins/conversations-api.js";
import { httpErrorHandler } from "./plugins/http-error-handler.js";
import { websocketPlugin } from "./plugins/websocket.js";
import type { RunHub, RunHubOptions } from "./runs/run-hub.js";
import type { Cluster } from "./cluster/cluster.js";
import { InProcessCluster } from "./cluster/in-process-cluster.js";
import { ConversationChangeFeed } from "./chat/conversation-change-feed.js";
import type { ConversationMemory, RunAgent } from "./runs/run-services.js";
import { StoreBackedMemory } from "./runs/store-backed-memory.js";
import { createRunAgent } from "./runs/create-run-agent.js";
import { createModelFromConfig } from "./create-model-from-config.js";
import { openStore } from "./open-store.js";
import type { ClientConnection } from "./ws/client-connection.js";
import { ClientRegistry } from "./ws/client-registry.js";
import { SERVER_VERSION } from "./server-version.js";

export interface BuildAppOptions {
  config: AppConfig;
  /** the model; default: chosen from the config (openai, local or scripted), owned and closed by the app */
  model?: ChatModel;
  /** default: PostgreSQL at config.databaseUrl, else SQLite at config.dbPath; owned and closed by the app */
  store?: ConversationStore;
  /** default: the Manager Agent over `model` */
  agent?: RunAgent;
  /** default: the memory module over the store */
  memory?: ConversationMemory;
  /** epoch ms; injectable for tests */
  now?: () => number;
  /** Fastify's logger options; default pino at config.logLevel with secrets redacted */
  logger?: FastifyServerOptions["logger"];
  /** where the default logger writes (default stdout) */
  logStream?: { write(line: string): void };
  /** OpenTelemetry, when main.ts started it: its HTTP span plugin is registered before every route */
  telemetry?: { fastifyPlugin: FastifyPluginCallback } | null;
}

/** Log paths that may carry secrets: never written, whatever the level. */
export const REDACTED_LOG_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "*.apiKey",
  "*.token",
  "*.authToken",
  "apiKey",
  "token",
  "authToken",
  "config.openai.apiKey",
  "config.authToken",
];

export interface AlmaApp {
  store: ConversationStore;
  hub: RunHub;
  /** what this server shares with the other instances (Redis), or keeps to itself (in-process) */
  cluster: Cluster;
  metrics: AppMetrics;
  model: ChatModel;
  service: ChatService;
  memory: ConversationMemory;
  /** the open WebSocket connections */
  connections: Iterable<ClientConnection> & { readonly size: number };
  /** stop taking runs, let running ones finish up to the shutdown deadline, then store the rest as interrupted */
  drain(deadlineMs?: number): Promise<void>;
}

declare module "fastify" {
  interface FastifyInstance {
    alma: AlmaApp;
  }
}

/** a conversation made to upload to that got no title, message or file in this long was left: the purge removes it */
const ABANDONED_CONVERSATION_MS = 60 * 60_000;

/** Builds the Fastify app: health, metrics, conversations API, CORS and the WebSocket, over injectable parts. */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = options;
  const now = options.now ?? Date.now;
  const app = Fastify({
    logger: options.logger ?? {
      level: config.logLevel,
      redact: { paths: REDACTED_LOG_PATHS, censor: "[redacted]" },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    bodyLimit: config.maxFrameBytes,
    // behind nginx every browser would share nginx's address, and so one rate limit
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    // one line per request instead of Fastify's two multi-line entries
    logController: new OneLineRequestLog(),
    // close waits for the running answers up to the shutdown deadline: avvio's 10 s default would fail that close
    // (AVV_ERR_READY_TIMEOUT) just as the deadline stores them interrupted, and Ctrl-C would exit 1
    pluginTimeout: Math.max(10_000, config.shutdownDeadlineMs + 15_000),
  });
  // route input is declared as zod schemas; a request that does not match gets the server's error body
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(httpErrorHandler);
  // HTTP request spans, only while OpenTelemetry runs: it must see every route as it is added
  if (options.telemetry) await app.register(options.telemetry.fastifyPlugin);

  const ownsStore = options.store === undefined;
  // the database first: one that cannot be used stops the start before a model is loaded
  const store = options.store ?? (await openStore(config, now, app.log));
  let cluster: Cluster;
  try {
    cluster = await openCluster(config, store, app.log, now);
  } catch (err) {
    if (ownsStore) await store.close();
    throw err;
  }
  const ownsModel = options.model === undefined;
  const model = options.model ?? createModelFromConfig(config, app.log);
  const interrupted = await cluster.recoverInterrupted();
  if (interrupted > 0) app.log.warn({ interrupted }, "answers left streaming by a previous crash are now marked interrupted");
  await store.purgeDeleted(now());
  await store.purgeAbandoned(now() - ABANDONED_CONVERSATION_MS);

  const metrics = new AppMetrics(now);
  const hub = cluster.hub;
  const memory =
    options.memory ??
    new StoreBackedMemory({
      store,
      model,
      contextWindow: config.contextWindow,
      log: app.log,
      // local models count with their own tokenizer once loaded (issue 4: exact counts per model family)
      ...(model instanceof LocalChatModel ? { localTokenize: (text: string) => model.tokenize(text) } : {}),
    });
  const agent = options.agent ?? (await createRunAgent(model, config, store, app.log, cluster.answerCache));
  const clients = new ClientRegistry();
  const changes = new ConversationChangeFeed({ broadcast: (frame, to) => clients.broadcast(frame, to), hub, runs: cluster.runs, publish: cluster.publish });
  await cluster.onChange((conversationId, change) => changes.receive(conversationId, change));
  const service = new ChatService({
    config,
    store,
    hub,
    metrics,
    model,
    agent,
    memory,
    now,
    log: app.log,
    runs: cluster.runs,
    changes,
    messageLimiter: cluster.rateLimiter("messages", config.limits.messagesPerMinute, 60_000),
    conversationLocks: cluster.conversationLocks,
  });

  let drained: Promise<void> | null = null;
  const drain = (deadlineMs = config.shutdownDeadlineMs) => {
    drained ??= (async () => {
      service.stopAccepting();
      const idle = await hub.waitIdle(deadlineMs);
      if (!idle) {
        app.log.warn({ active: hub.active }, "shutdown deadline reached; storing the remaining answers as interrupted");
        hub.stopAll("shutdown");
      }
      await service.settled();
    })();
    return drained;
  };
  app.decorate("alma", { store, hub, cluster, metrics, model, service, memory, connections: clients, drain });

  // the web app reads an export's file name from Content-Disposition, which a cross-origin fetch sees only when exposed
  await app.register(cors, { origin: config.allowedOrigins, methods: ["GET", "HEAD", "OPTIONS"], exposedHeaders: ["Content-Disposition"] });
  await app.register(healthPlugin, { model, store, redis: cluster.health, serverVersion: SERVER_VERSION, startedAt: now(), now });
  await app.register(metricsPlugin, { metrics });
  await app.register(conversationsApiPlugin, {
    store,
    hub,
    runs: cluster.runs,
    authToken: config.authToken,
    requestsPerMinute: config.limits.httpRequestsPerMinute,
    prices: config.modelPrices,
    attachmentLimits: config.attachments,
    listChanged: (frame) => changes.listChanged(frame),
    rateLimitRedis: cluster.httpRateLimitRedis,
    now,
  });
  await app.register(websocketPlugin, {
    config,
    service,
    runs: cluster.runs,
    metrics,
    model,
    clients,
    serverVersion: SERVER_VERSION,
    now,
    heartbeatMs: config.heartbeatMs,
    beforeSocketsClose: () => drain(),
  });

  // deleted conversations leave for good once their undo window has passed
  const purgeTimer = setInterval(
    () => {
      store.purgeDeleted(now()).then(
        (purged) => {
          if (purged > 0) app.log.info({ purged }, "purged deleted conversations");
        },
        (err: unknown) => app.log.error({ err }, "could not purge deleted conversations"),
      );
      store.purgeAbandoned(now() - ABANDONED_CONVERSATION_MS).then(
        (purged) => {
          if (purged > 0) app.log.info({ purged }, "removed conversations made for uploads that never got a file or a message");
        },
        (err: unknown) => app.log.error({ err }, "could not remove abandoned conversations"),
      );
    },
    Math.max(1000, Math.min(60_000, config.undoWindowMs)),
  );
  purgeTimer.unref();

  app.addHook("onClose", async () => {
    clearInterval(purgeTimer);
    await drain(0);
    await memory.close();
    if (options.agent === undefined) await agent.close?.();
    metrics.close();
    // after the drain: the runs' last events are written before the instance leaves Redis
    await cluster.close();
    if (ownsStore) await store.close();
    if (ownsModel) await model.close();
  });
  return app;
}

/** in-process unless ALMA_REDIS_URL is set; the Redis side is loaded only then */
async function openCluster(config: AppConfig, store: ConversationStore, log: FastifyBaseLogger, now: () => number): Promise<Cluster> {
  const hubOptions: RunHubOptions = {
    replayBufferEvents: config.replayBufferEvents,
    replayBufferBytes: config.replayBufferBytes,
    graceMs: config.resumeGraceMs,
    now,
  };
  const redis = config.redis;
  if (redis === null) return new InProcessCluster(config.instanceId, hubOptions, store, now);
  const { RedisCluster } = await import("./cluster/redis-cluster.js");
  return RedisCluster.start({ config: { ...config, redis }, hubOptions, store, log, now });
}
