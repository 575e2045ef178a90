import { type FastifyReply, type FastifyRequest, LogController } from "fastify";

/** requests that come every few seconds from monitors and the web app: logged at debug, not info */
const POLLED = /^\/(?:health|metrics|ws)(?:[/?]|$)/;

/**
 * One log line per HTTP request, once it has been answered, in place of Fastify's "incoming request" and "request
 * completed" pair (two multi-line entries in the pretty log): `GET /api/conversations 200 3.1 ms`, with the
 * method, URL, status and time also as fields for log collectors. Health checks, metrics scrapes and WebSocket
 * upgrades are logged at debug; Fastify's other request logs (errors, 404s) are its own.
 */
export class OneLineRequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const ms = reply.elapsedTime;
    const line = `${request.method} ${request.url} ${reply.statusCode} ${ms.toFixed(1)} ms`;
    const fields = { req: { method: request.method, url: request.url }, res: { statusCode: reply.statusCode }, responseTime: ms };
    if (error) reply.log.error({ ...fields, err: error }, line);
    else if (reply.statusCode >= 500) reply.log.warn(fields, line);
    else if (POLLED.test(request.url)) reply.log.debug(fields, line);
    else reply.log.info(fields, line);
  }
}
