import { attachmentSchema, conversationSchema, type Attachment, type Conversation } from "@alma/protocol";
import { z } from "zod";

/**
 * The page's calls to the server's attachment API, through the web app's own routes of the same paths
 * (app/api/conversations/…, lib/attachment-proxy): the page's Content-Security-Policy allows the server's WebSocket only.
 * Each rejects with an Error whose message is a sentence to show: the server's own when it sent one.
 */
export interface AttachmentsApi {
  createConversation(signal?: AbortSignal): Promise<Conversation>;
  upload(conversationId: string, file: File, signal?: AbortSignal): Promise<UploadResult>;
  remove(conversationId: string, attachmentId: string): Promise<void>;
  /** the conversation's files, sent and unsent (`messageId: null`), in the order they were attached */
  list(conversationId: string, signal?: AbortSignal): Promise<Attachment[]>;
}

export interface UploadResult {
  attachment: Attachment;
  /** what the server noticed but accepted (a CSV row with broken quoting, a PDF page without text) */
  warnings: string[];
}

/** A refusal: the server's status and its message for the user. */
export class AttachmentApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: string,
  ) {
    super(message);
    this.name = "AttachmentApiError";
  }

  /** the same request may work later (the network, the server busy or down); a refusal of the file itself will not */
  get retryable(): boolean {
    return this.status === null || this.status >= 500 || this.status === 409 || this.status === 429;
  }
}

const uploadResultSchema = z.object({
  attachment: attachmentSchema,
  warnings: z.array(z.union([z.string(), z.object({ message: z.string() }).transform((w) => w.message)])).default([]),
});
const listSchema = z.object({ attachments: z.array(attachmentSchema) });
const problemSchema = z.object({ error: z.string().optional(), message: z.string().min(1) });

async function refusal(res: Response, what: string): Promise<AttachmentApiError> {
  const body = await res.json().catch(() => null);
  const parsed = problemSchema.safeParse(body);
  if (parsed.success) return new AttachmentApiError(parsed.data.message, res.status, parsed.data.error ?? "http_error");
  return new AttachmentApiError(`${what}: the server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ""}.`, res.status, "http_error");
}

async function call(doFetch: typeof fetch, path: string, init: RequestInit, what: string): Promise<Response> {
  let res: Response;
  try {
    res = await doFetch(path, { ...init, credentials: "omit", cache: "no-store" });
  } catch (e) {
    if (init.signal?.aborted) throw e;
    throw new AttachmentApiError(`${what}: the web app could not be reached. Check the connection and retry.`, null, "unreachable");
  }
  if (!res.ok) throw await refusal(res, what);
  return res;
}

async function parsed<T>(res: Response, schema: z.ZodType<T>, what: string): Promise<T> {
  const result = schema.safeParse(await res.json().catch(() => null));
  if (!result.success) throw new AttachmentApiError(`${what}: the server's answer was not understood. Retry, or reload the page.`, res.status, "bad_response");
  return result.data;
}

function attachmentsPath(conversationId: string): string {
  return `/api/conversations/${encodeURIComponent(conversationId)}/attachments`;
}

export function createAttachmentsApi(doFetch: typeof fetch = (input, init) => fetch(input, init)): AttachmentsApi {
  return {
    async createConversation(signal) {
      const what = "Could not start a conversation for the files";
      const res = await call(doFetch, "/api/conversations", { method: "POST", headers: { "content-type": "application/json" }, body: "{}", signal }, what);
      return parsed(res, conversationSchema, what);
    },
    async upload(conversationId, file, signal) {
      const what = `Could not upload ${file.name}`;
      const form = new FormData();
      form.append("file", file, file.name);
      const res = await call(doFetch, attachmentsPath(conversationId), { method: "POST", body: form, signal }, what);
      return parsed(res, uploadResultSchema, what);
    },
    async remove(conversationId, attachmentId) {
      await call(doFetch, `${attachmentsPath(conversationId)}/${encodeURIComponent(attachmentId)}`, { method: "DELETE" }, "Could not remove the file");
    },
    async list(conversationId, signal) {
      const what = "Could not load the files attached earlier";
      const res = await call(doFetch, attachmentsPath(conversationId), { method: "GET", signal }, what);
      return (await parsed(res, listSchema, what)).attachments;
    },
  };
}
