import { openAsBlob } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, extname } from "node:path";
import { attachmentSchema, conversationSchema } from "@alma/protocol";
import { z } from "zod";
import { EXIT_ERROR, EXIT_USAGE, type CliIo } from "./cli-io.js";
import { serverUnreachable, type Failure } from "./describe-failure.js";
import { httpBaseUrl } from "./resolve-server-url.js";

export const UPLOAD_TIMEOUT_MS = 120_000;

/** what the server reads the file as comes from its name; the type only labels it */
const MEDIA_TYPES: Record<string, string> = {
  ".txt": "text/plain",
  ".md": "text/markdown",
  ".markdown": "text/markdown",
  ".csv": "text/csv",
  ".tsv": "text/tab-separated-values",
  ".json": "application/json",
  ".pdf": "application/pdf",
};

export type Attached = { ok: true; conversationId: string; attachmentIds: string[]; created: boolean } | { ok: false; failure: Failure };

const uploadAnswer = z.object({ attachment: attachmentSchema, warnings: z.array(z.string()).default([]) });
const errorAnswer = z.object({ error: z.string().optional(), message: z.string().min(1) });

/** Checks that every file is there and readable before anything reaches the server. */
export async function checkFiles(paths: readonly string[]): Promise<Failure | null> {
  for (const path of paths) {
    try {
      const info = await stat(path);
      if (!info.isFile()) return { message: `alma: cannot attach ${path}: it is not a file. Nothing was sent.`, exitCode: EXIT_USAGE };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? "there is no such file" : code === "EACCES" ? "permission denied" : (error as Error).message;
      return { message: `alma: cannot attach ${path}: ${why}. Nothing was sent.`, exitCode: EXIT_USAGE };
    }
  }
  return null;
}

interface AttachArgs {
  server: string;
  token?: string | undefined;
  conversationId?: string | undefined;
  files: readonly string[];
}

/**
 * `alma ask --attach FILE`: creates the conversation when none is given (`POST /api/conversations`), then uploads
 * each file (`POST /api/conversations/:id/attachments`). When one is refused, what this call made is undone (files
 * removed, a conversation it created deleted) and the failure carries the server's words: nothing is sent.
 */
export async function attachFiles(args: AttachArgs, io: CliIo, deleteConversation: (id: string) => Promise<unknown>): Promise<Attached> {
  const base = httpBaseUrl(args.server);
  const doFetch = io.fetch ?? fetch;
  const headers: Record<string, string> = args.token ? { authorization: `Bearer ${args.token}` } : {};
  const call = async (path: string, init: RequestInit, what: string): Promise<{ ok: true; body: unknown } | { ok: false; failure: Failure }> => {
    const timeout = AbortSignal.timeout(UPLOAD_TIMEOUT_MS);
    try {
      const res = await doFetch(`${base}${path}`, {
        ...init,
        headers: { ...headers, ...(init.headers as Record<string, string>) },
        signal: io.signal ? AbortSignal.any([io.signal, timeout]) : timeout,
      });
      const body: unknown = res.status === 204 ? null : await res.json().catch(() => null);
      if (res.ok) return { ok: true, body };
      return { ok: false, failure: refusal(res.status, body, what, base, args.token !== undefined) };
    } catch (error) {
      if (io.signal?.aborted) return { ok: false, failure: { message: "alma: interrupted; nothing was sent.", exitCode: 130 } };
      if (timeout.aborted)
        return {
          ok: false,
          failure: {
            message: `alma: ${what}: the server at ${base} did not answer within ${UPLOAD_TIMEOUT_MS / 1000} s. Nothing was sent.`,
            exitCode: EXIT_ERROR,
          },
        };
      const cause = (error as { cause?: unknown }).cause;
      return { ok: false, failure: serverUnreachable(base, cause instanceof Error ? cause.message : (error as Error).message) };
    }
  };

  let conversationId = args.conversationId;
  const created = conversationId === undefined;
  if (conversationId === undefined) {
    const made = await call(
      "/api/conversations",
      { method: "POST", headers: { "content-type": "application/json" }, body: "{}" },
      "cannot start a conversation for the files",
    );
    if (!made.ok) return made;
    const conversation = conversationSchema.safeParse(made.body);
    if (!conversation.success) return { ok: false, failure: notAlma(base) };
    conversationId = conversation.data.id;
  }
  const uploaded: string[] = [];
  const undo = async () => {
    if (created) await deleteConversation(conversationId).catch(() => undefined);
    else for (const id of uploaded) await call(`/api/conversations/${conversationId}/attachments/${id}`, { method: "DELETE" }, "remove").catch(() => undefined);
  };
  for (const path of args.files) {
    const form = new FormData();
    form.append("file", await openAsBlob(path, { type: MEDIA_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream" }), basename(path));
    const sent = await call(`/api/conversations/${conversationId}/attachments`, { method: "POST", body: form }, `cannot attach ${basename(path)}`);
    const answer = sent.ok ? uploadAnswer.safeParse(sent.body) : null;
    if (!sent.ok || !answer?.success) {
      await undo();
      return { ok: false, failure: sent.ok ? notAlma(base) : sent.failure };
    }
    uploaded.push(answer.data.attachment.id);
    for (const warning of answer.data.warnings) io.stderr.write(`alma: ${basename(path)}: ${warning}\n`);
  }
  return { ok: true, conversationId, attachmentIds: uploaded, created };
}

function notAlma(base: string): Failure {
  return {
    message: `alma: the server at ${base} answered something that is not alma's attachment API. Check that --server points at the alma server (port 8787 by default). Nothing was sent.`,
    exitCode: EXIT_ERROR,
  };
}

/** the server's refusal in its own words, with what to do; "Nothing was sent." since the message never went */
function refusal(status: number, body: unknown, what: string, base: string, hadToken: boolean): Failure {
  const said = errorAnswer.safeParse(body);
  const message = said.success ? said.data.message : `the server answered ${status}`;
  const advice =
    status === 401 || status === 403
      ? hadToken
        ? " The access token given (--token or ALMA_AUTH_TOKEN) is not the server's: check it."
        : " This server needs its access token: pass it with --token or set ALMA_AUTH_TOKEN."
      : status === 404 && said.success && said.data.error === "not_found"
        ? " Run `alma list` to see the conversations and their IDs."
        : status === 404
          ? ` The server at ${base} has no attachment API: it is older than this CLI; update and restart it.`
          : "";
  const lead = said.success && status !== 401 && status !== 403 && status !== 404 ? "alma: " : `alma: ${what}: `;
  return { message: `${lead}${message}${advice} Nothing was sent.`, exitCode: EXIT_ERROR };
}
