import { serverHttpBase } from "./server-url";

/** the headers of the server's answer the browser needs: what it is, what to save it as */
const PASSED_BACK = ["content-type", "content-disposition"] as const;

/** An error answer of the web app's own, in the server's shape: `{ error, message }`. */
export function problem(status: number, error: string, message: string): Response {
  return Response.json({ error, message }, { status, headers: { "cache-control": "no-store" } });
}

export interface PassOnRequest {
  method: "GET" | "POST" | "DELETE";
  /** the server's path and query, e.g. `/api/conversations/c1/attachments` */
  path: string;
  body?: BodyInit | null;
  contentType?: string | null;
  /** the answer when fetching throws for a reason of the web app's own (a body over its limit); else the server is unreachable */
  failure?: () => Response | null;
}

/**
 * Passes a request of the page on to the alma server's HTTP API and its answer back. The page cannot fetch the server
 * itself: its Content-Security-Policy allows the server's WebSocket only. The browser's Authorization header (the
 * server's token, when it has one) is passed on as it is; nothing is added, so this opens nothing the server guards.
 */
export async function passOn(request: Request, serverUrl: string, req: PassOnRequest, doFetch: typeof fetch = fetch): Promise<Response> {
  const headers: Record<string, string> = {};
  const authorization = request.headers.get("authorization");
  if (authorization) headers.authorization = authorization;
  if (req.contentType) headers["content-type"] = req.contentType;
  const streamed = req.body instanceof ReadableStream;
  let upstream: Response;
  try {
    upstream = await doFetch(`${serverHttpBase(serverUrl)}${req.path}`, {
      method: req.method,
      headers,
      body: req.body ?? null,
      cache: "no-store",
      signal: request.signal,
      // a streamed body goes on as it arrives (Node's fetch needs to be told so)
      ...(streamed ? { duplex: "half" } : {}),
    } as RequestInit);
  } catch {
    return req.failure?.() ?? problem(502, "server_unreachable", `The alma server at ${serverUrl} could not be reached. Check that it is running, then retry.`);
  }
  const back = new Headers({ "cache-control": "no-store" });
  for (const name of PASSED_BACK) {
    const value = upstream.headers.get(name);
    if (value) back.set(name, value);
  }
  return new Response(upstream.body, { status: upstream.status, headers: back });
}
