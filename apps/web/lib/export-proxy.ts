import { CONVERSATION_ID, isExportFormat } from "./export-conversation";
import { passOn, problem } from "./pass-on";

/**
 * The web app's `GET /api/conversations/:id/export?format=markdown|json`, passed on to the alma server's endpoint of
 * the same path (lib/pass-on).
 */
export async function passOnExport(request: Request, id: string, serverUrl: string, doFetch: typeof fetch = fetch): Promise<Response> {
  const format = new URL(request.url).searchParams.get("format") ?? "markdown";
  if (!CONVERSATION_ID.test(id)) return problem(400, "invalid_request", "That is not a conversation id.");
  if (!isExportFormat(format)) return problem(400, "invalid_request", 'The format is "markdown" or "json".');
  return passOn(request, serverUrl, { method: "GET", path: `/api/conversations/${encodeURIComponent(id)}/export?format=${format}` }, doFetch);
}
