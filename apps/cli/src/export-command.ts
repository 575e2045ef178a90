import { writeFile } from "node:fs/promises";
import { EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, type CliIo } from "./cli-io.js";
import { serverUnreachable, type Failure } from "./describe-failure.js";
import type { ExportCommand, ExportFormat } from "./parse-cli-args.js";
import { httpBaseUrl } from "./resolve-server-url.js";

export const EXPORT_TIMEOUT_MS = 30_000;

/** what each format's body is sent as; anything else (an HTML page, say) is not an alma export */
const CONTENT_TYPES: Record<ExportFormat, string[]> = { markdown: ["text/markdown", "text/plain"], json: ["application/json"] };

/** The URL of a conversation's export on the server the CLI talks to (HTTP, beside its WebSocket). */
export function exportUrl(serverUrl: string, conversationId: string, format: ExportFormat): string {
  return `${httpBaseUrl(serverUrl)}/api/conversations/${encodeURIComponent(conversationId)}/export?format=${format}`;
}

/**
 * `alma export ID`: fetches `GET /api/conversations/:id/export?format=` and prints the body as the server sent
 * it (or writes it to --out, only once the whole export arrived, so a failure never leaves half a file).
 */
export async function exportCommand(command: ExportCommand, io: CliIo): Promise<number> {
  const url = exportUrl(command.server, command.conversationId, command.format);
  const base = httpBaseUrl(command.server);
  const headers: Record<string, string> = { accept: CONTENT_TYPES[command.format][0]! };
  if (command.token) headers.authorization = `Bearer ${command.token}`;
  const timeout = AbortSignal.timeout(EXPORT_TIMEOUT_MS);
  const signal = io.signal ? AbortSignal.any([io.signal, timeout]) : timeout;

  let body: string;
  try {
    const response = await (io.fetch ?? fetch)(url, { headers, signal });
    body = await response.text();
    const failure = response.ok ? unexpectedBody(response, body, command, base) : httpFailure(response, body, command, base);
    if (failure) return fail(io, failure);
  } catch (error) {
    if (io.signal?.aborted) return fail(io, { message: "alma: interrupted; nothing was exported.", exitCode: EXIT_INTERRUPTED });
    if (timeout.aborted) {
      return fail(io, {
        message: `alma: the server at ${base} did not finish the export within ${EXPORT_TIMEOUT_MS / 1000} s. Try again; if it keeps happening, the server's log says why.`,
        exitCode: EXIT_ERROR,
      });
    }
    return fail(io, serverUnreachable(base, networkReason(error)));
  }

  if (command.out === null) {
    io.stdout.write(body.endsWith("\n") ? body : `${body}\n`);
    return EXIT_OK;
  }
  try {
    await writeFile(command.out, body);
  } catch (error) {
    return fail(io, { message: `alma: cannot write ${command.out}: ${(error as Error).message}. Nothing was exported there.`, exitCode: EXIT_ERROR });
  }
  io.stderr.write(`alma: exported conversation ${command.conversationId} (${command.format}) to ${command.out}\n`);
  return EXIT_OK;
}

function fail(io: CliIo, failure: Failure): number {
  io.stderr.write(`${failure.message}\n`);
  return failure.exitCode;
}

/** `fetch failed` says nothing; its cause says what the network did (connect ECONNREFUSED 127.0.0.1:8787) */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: unknown })?.cause;
  if (cause instanceof Error && cause.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** the server's HTTP error body, `{ error, message }`, when that is what came */
function errorBody(body: string): { error: string; message: string } | null {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown };
    if (typeof parsed.message === "string") return { error: typeof parsed.error === "string" ? parsed.error : "", message: parsed.message };
  } catch {
    // not JSON: not the server's error body
  }
  return null;
}

/** A 2xx whose body is not an export in the format asked for: most likely --server points at something else. */
function unexpectedBody(response: Response, body: string, command: ExportCommand, base: string): Failure | null {
  const type = (response.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  let problem: string | null = null;
  if (type !== "" && !CONTENT_TYPES[command.format].includes(type)) problem = `answered with ${type}, not ${CONTENT_TYPES[command.format][0]}`;
  else if (command.format === "json") {
    try {
      JSON.parse(body);
    } catch {
      problem = "answered with a body that is not JSON";
    }
  }
  if (problem === null) return null;
  return {
    message:
      `alma: the server at ${base} ${problem} for the export of ${command.conversationId}.\n` +
      "Check that --server (or ALMA_SERVER_URL) points at the alma server (port 8787 by default), not the web app.",
    exitCode: EXIT_ERROR,
  };
}

/** What an HTTP error means for an export, in words: what happened and what to do. */
function httpFailure(response: Response, body: string, command: ExportCommand, base: string): Failure {
  const server = errorBody(body);
  const status = `${response.status}${server?.error ? ` ${server.error}` : response.statusText ? ` ${response.statusText}` : ""}`;
  const said = server?.message ?? (body.trim().slice(0, 200) || "no details");
  switch (response.status) {
    case 401:
    case 403:
      return {
        message:
          `alma: the server at ${base} refused the export (${status}): ${said}\n` +
          (command.token
            ? "The access token given (--token or ALMA_AUTH_TOKEN) is not the server's: check it."
            : "This server needs its access token: pass it with --token or set ALMA_AUTH_TOKEN."),
        exitCode: EXIT_ERROR,
      };
    case 404:
      // the server's own 404 names the conversation; any other is the route missing: an older server
      if (server?.error === "not_found") {
        return {
          message: `alma: no conversation ${command.conversationId} on the server at ${base}: ${said}\nRun \`alma list\` to see its conversations and their IDs.`,
          exitCode: EXIT_ERROR,
        };
      }
      return {
        message:
          `alma: the server at ${base} has no conversation export (GET /api/conversations/:id/export answered ${status}).\n` +
          "It is older than this CLI, or --server points at something else: update and restart the alma server.",
        exitCode: EXIT_ERROR,
      };
    case 429: {
      const retryAfter = Number(response.headers.get("retry-after"));
      const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? ` Try again in ${Math.ceil(retryAfter)} s.` : " Try again in a minute.";
      return { message: `alma: the server at ${base} is rate-limiting requests (${status}): ${said}${wait}`, exitCode: EXIT_ERROR };
    }
    default:
      if (response.status >= 500) {
        return {
          message: `alma: the server at ${base} failed to export conversation ${command.conversationId} (${status}): ${said}\nTry again; the server's log says what went wrong.`,
          exitCode: EXIT_ERROR,
        };
      }
      return { message: `alma: the server at ${base} refused the export of ${command.conversationId} (${status}): ${said}`, exitCode: EXIT_ERROR };
  }
}
