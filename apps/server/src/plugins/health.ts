import type { FastifyPluginAsync } from "fastify";
import type { ChatModel } from "@alma/llm";
import type { ConversationStore } from "@alma/store";
import type { ServiceHealth } from "../cluster/cluster.js";

/**
 * `GET /health`: the process is alive, whether a model can answer (with why not) and whether the database (and Redis,
 * when set) answers. A dependency that does not answer makes it 503 with status "degraded", so a load balancer sends no one there.
 */
export const healthPlugin: FastifyPluginAsync<{
  model: ChatModel;
  store: Pick<ConversationStore, "kind" | "ping">;
  /** with ALMA_REDIS_URL: whether Redis answers; null in-process (not reported) */
  redis: (() => Promise<ServiceHealth>) | null;
  serverVersion: string;
  startedAt: number;
  now: () => number;
}> = async (app, o) => {
  app.get("/health", async (_request, reply) => {
    const model = o.model.status();
    const [ping, redisPing] = await Promise.all([o.store.ping(), o.redis?.() ?? null]);
    const database = ping.ok ? { kind: o.store.kind, ok: true } : { kind: o.store.kind, ok: false, error: ping.error };
    const redis = redisPing === null ? {} : { redis: redisPing.ok ? { ok: true } : { ok: false, error: redisPing.error } };
    const ok = ping.ok && (redisPing?.ok ?? true);
    return reply.code(ok ? 200 : 503).send({
      status: ok ? "ok" : "degraded",
      serverVersion: o.serverVersion,
      uptimeMs: o.now() - o.startedAt,
      modelReady: model.ready,
      model,
      database,
      ...redis,
    });
  });
};
