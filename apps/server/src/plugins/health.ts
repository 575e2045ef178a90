import type { FastifyPluginAsync } from "fastify";
import type { ChatModel } from "@alma/llm";
import type { ConversationStore } from "@alma/store";

/**
 * `GET /health`: the process is alive, whether a model can answer (with why not) and whether the database answers.
 * A database that does not answer makes it 503 with status "degraded", so a load balancer sends no one there.
 */
export const healthPlugin: FastifyPluginAsync<{
  model: ChatModel;
  store: Pick<ConversationStore, "kind" | "ping">;
  serverVersion: string;
  startedAt: number;
  now: () => number;
}> = async (app, o) => {
  app.get("/health", async (_request, reply) => {
    const model = o.model.status();
    const ping = await o.store.ping();
    const database = ping.ok ? { kind: o.store.kind, ok: true } : { kind: o.store.kind, ok: false, error: ping.error };
    return reply
      .code(ping.ok ? 200 : 503)
      .send({ status: ping.ok ? "ok" : "degraded", serverVersion: o.serverVersion, uptimeMs: o.now() - o.startedAt, modelReady: model.ready, model, database });
  });
};
