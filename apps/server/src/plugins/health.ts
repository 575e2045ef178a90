import type { FastifyPluginAsync } from "fastify";
import type { ChatModel } from "@alma/llm";

/** `GET /health`: the process is alive, and whether a model can answer (with why not). */
export const healthPlugin: FastifyPluginAsync<{ model: ChatModel; serverVersion: string; startedAt: number; now: () => number }> = async (app, o) => {
  app.get("/health", async () => {
    const model = o.model.status();
    return { status: "ok", serverVersion: o.serverVersion, uptimeMs: o.now() - o.startedAt, modelReady: model.ready, model };
  });
};
