import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type LateHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * An HTTP server on a port chosen now but listened on only when `start` is called: until then a connection to
 * `url` is refused, as with a model server that is not up yet. Counts the requests and the most at once.
 */
export async function lateServer() {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  let server: Server | null = null;
  let inFlight = 0;
  const seen = { requests: [] as string[], maxInFlight: 0 };
  return {
    url: `http://127.0.0.1:${port}/v1`,
    seen,
    async start(handler: LateHandler): Promise<void> {
      server = createServer((req, res) => {
        seen.requests.push(`${req.method} ${req.url}`);
        seen.maxInFlight = Math.max(seen.maxInFlight, ++inFlight);
        res.on("close", () => inFlight--);
        void handler(req, res);
      });
      await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", resolve));
    },
    async close(): Promise<void> {
      if (!server) return;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
      server = null;
    },
  };
}

/** GET /v1/models lists `model`; anything else is a 404 (a server that tells no window) */
export function modelsHandler(model: string, opts: { delayMs?: number; refuseKey?: () => boolean } = {}): LateHandler {
  return async (req, res) => {
    if (opts.delayMs) await new Promise((resolve) => setTimeout(resolve, opts.delayMs));
    if (opts.refuseKey?.()) {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key" } }));
      return;
    }
    if (req.method === "GET" && req.url === "/v1/models") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ object: "list", data: [{ id: model, object: "model", created: 0, owned_by: "me" }] }));
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { message: "not found" } }));
  };
}
