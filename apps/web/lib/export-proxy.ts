import { CONVERSATION_ID, isExportFormat, serverExportUrl } from "./export-conversation";

/** the headers of the server's answer the browser needs: what it is, what to save it as */
const PASSED_ON = ["content-type", "content-disposition"] as const;

function problem(status: number, error: string, message: string): Response {
  return Response.json({ error, message }, { status, headers: { "cache-control": "no-store" } });
}

/**
 * The web app's `GET /api/conversations/:id/export?format=markdown|json`, passed on to the alma server's endpoint of
 * the same path. The page cannot fetch the server's HTTP API itself: its Content-Security-Policy allows the server's
 * WebSocket only. The browser's Authorization header (the server's token, when it has one) is passed on as it is;
 * nothing is added, so this opens nothing the server guards.
 */
export async function passOnExport(request: Request, id: string, serverUrl: string, doFetch: typeof fetch = fetch): Promise<Response> {
  const format = new URL(request.url).searchParams.get("format") ?? "markdown";
  if (!CONVERSATION_ID.test(id)) return problem(400, "invalid_request", "That is not a conversation id.");
  if (!isExportFormat(format)) return problem(400, "invalid_request", 'The format is "markdown" or "json".');
  const authorization = request.headers.get("authorization");
  let upstream: Response;
  try {
    upstream = await doFetch(serverExportUrl(serverUrl, id, format), {
      headers: authorization ? { authorization } : {},
      cache: "no-store",
      signal: request.signal,
    });
  } catch {
    return problem(502, "server_unreachable", `The alma server at ${serverUrl} could not be reached.`);
  }
  const headers = new Headers({ "cache-control": "no-store" });
  for (const name of PASSED_ON) {
    const value = upstream.headers.get(name);
    if (value) headers.set(name, value);
  }
  return new Response(upstream.body, { status: upstream.status, headers });
}
