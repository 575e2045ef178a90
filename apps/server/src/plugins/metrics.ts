import type { FastifyPluginAsync } from "fastify";
import type { AppMetrics } from "../metrics/app-metrics.js";

/** `GET /metrics`: Prometheus text for this app instance's registry. */
export const metricsPlugin: FastifyPluginAsync<{ metrics: AppMetrics }> = async (app, o) => {
  app.get("/metrics", async (_request, reply) => {
    const body = await o.metrics.registry.metrics();
    return reply.type(o.metrics.registry.contentType).send(body);
  });
};
