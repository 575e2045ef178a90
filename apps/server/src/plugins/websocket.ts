import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import websocket from "@fastify/websocket";
import type { ChatModel } from "@alma/llm";
import type { ServerFrame } from "@alma/protocol";
import type { AppConfig } from "../config.js";
import type { ChatService } from "../chat/chat-service.js";
import type { AppMetrics } from "../metrics/app-metrics.js";
import type { RunSource } from "../runs/run-source.js";
import { ClientConnection } from "../ws/client-connection.js";
import type { ClientRegistry } from "../ws/client-registry.js";
import { MetricsFeed } from "../ws/metrics-feed.js";

export interface WebsocketPluginOptions {
  config: AppConfig;
  service: ChatService;
  /** a closed socket stops watching runs, local or (with Redis) of other instances */
  runs: RunSource;
  metrics: AppMetrics;
  model: ChatModel;
  /** the open connections; every frame for many clients goes through its `broadcast` */
  clients: ClientRegistry;
  serverVersion: string;
  now: () => number;
  /** how often sockets are pinged; one missed pong terminates the socket */
  heartbeatMs: number;
  /** runs before sockets close on shutdown: lets running answers finish and reach their viewers */
  beforeSocketsClose: () => Promise<void>;
}

/** Policy violation (RFC 6455): how /ws refuses a socket from an origin not in ALMA_ALLOWED_ORIGINS. */
export const FORBIDDEN_ORIGIN_CLOSE_CODE = 1008;
/** RFC 6455: a close frame's reason is at most 123 bytes */
const MAX_CLOSE_REASON_BYTES = 123;

/**
 * The close reason for a refused origin; @alma/client recognises it by the code and the reason's first word and
 * tells the user which setting to change. An origin too long for the reason is left out rather than cut.
 */
export function forbiddenOriginReason(origin: string): string {
  const reason = `forbidden_origin: ${origin} is not in ALMA_ALLOWED_ORIGINS`;
  return Buffer.byteLength(reason) <= MAX_CLOSE_REASON_BYTES ? reason : "forbidden_origin: this origin is not in ALMA_ALLOWED_ORIGINS";
}

/** `/ws`: Origin allow-list at the upgrade, connection limit, model status pushes and the metrics feed. */
export const websocketPlugin: FastifyPluginAsync<WebsocketPluginOptions> = async (app: FastifyInstance, o) => {
  const allowed = new Set(o.config.allowedOrigins);
  const metricsFeed = new MetricsFeed({ metrics: o.metrics, clients: o.clients });
  const unsubscribeStatus = o.model.onStatus((model) => o.clients.broadcast({ type: "model.status", model }));

  // A socket whose peer vanished without a close (a dropped network) is found by its missing pong and
  // terminated, so its runs start their resume grace period instead of waiting on a dead socket.
  const alive = new WeakMap<object, boolean>();
  const heartbeat = setInterval(() => {
    for (const ws of app.websocketServer.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, o.heartbeatMs);
  heartbeat.unref();

  await app.register(websocket, {
    options: { maxPayload: o.config.maxFrameBytes },
    preClose: async function preClose(this: FastifyInstance) {
      await o.beforeSocketsClose();
      for (const client of this.websocketServer.clients) client.close(1001, "server shutting down");
      await new Promise<void>((resolve) => this.websocketServer.close(() => resolve()));
    },
  });

  app.get("/ws", { websocket: true }, (socket, request) => {
    // Browsers always send Origin; refusing unknown ones blocks cross-site WebSocket hijacking. Clients without
    // Origin (the CLI, scripts) are not browsers and are allowed. A refusal is a close, not a 403: a page cannot
    // read a refused upgrade's status, so it could only retry blind; it can read a close's code and reason. The
    // socket is closed before anything listens to it or writes to it: nothing is read, nothing but the close is sent.
    const origin = request.headers.origin;
    if (origin !== undefined && !allowed.has(origin)) {
      request.log.warn({ origin }, "refused a WebSocket from an origin not in ALMA_ALLOWED_ORIGINS");
      socket.close(FORBIDDEN_ORIGIN_CLOSE_CODE, forbiddenOriginReason(origin));
      return;
    }
    if (o.clients.size >= o.config.limits.maxConnections) {
      socket.send(
        JSON.stringify({
          type: "error",
          code: "too_many_connections",
          message: `The server has its maximum of ${o.config.limits.maxConnections} connections. Try again in a few seconds.`,
          retryable: true,
          retryAfterMs: 5000,
        } satisfies ServerFrame),
      );
      socket.close(1013, "too many connections");
      return;
    }
    alive.set(socket, true);
    socket.on("pong", () => alive.set(socket, true));
    const connection = new ClientConnection({
      socket,
      address: request.ip,
      service: o.service,
      log: request.log,
      authToken: o.config.authToken,
      handshakeTimeoutMs: o.config.handshakeTimeoutMs,
      maxFrameBytes: o.config.maxFrameBytes,
      maxRunsPerConnection: o.config.limits.maxRunsPerConnection,
      serverVersion: o.serverVersion,
      now: o.now,
      modelStatus: () => o.model.status(),
      onMetricsSubscription: (c, enabled) => metricsFeed.setSubscribed(c, enabled),
    });
    o.clients.add(connection);
    o.metrics.socketOpened();
    socket.on("close", () => {
      o.clients.delete(connection);
      metricsFeed.setSubscribed(connection, false);
      // its runs go on for the grace period; it no longer follows its conversation
      o.runs.detach(connection);
      o.metrics.socketClosed();
    });
  });

  app.addHook("onClose", async () => {
    clearInterval(heartbeat);
    unsubscribeStatus();
    metricsFeed.close();
  });
};
