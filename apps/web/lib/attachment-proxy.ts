import { CONVERSATION_ID } from "./export-conversation";
import { formatBytes } from "./format";
import { passOn, problem } from "./pass-on";

/** room for the multipart framing around the file (boundaries, part headers), beyond the file's own limit */
const MULTIPART_ALLOWANCE = 64 * 1024;
/** `POST /api/conversations` takes a title at most: anything larger is not a request of the page */
const MAX_JSON_BYTES = 16 * 1024;

function tooLarge(maxFileBytes: number): Response {
  return problem(413, "too_large", `The file is larger than the ${formatBytes(maxFileBytes)} a file may be. Attach a smaller file or split it.`);
}

/** The body as it arrives, erroring once it passes `limit` bytes (so a huge upload is cut off, not buffered). */
function limitBytes(body: ReadableStream<Uint8Array>, limit: number, onOver: () => void): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > limit) {
          onOver();
          controller.error(new Error(`the upload passed ${limit} bytes`));
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
}

function attachmentsPath(id: string): string {
  return `/api/conversations/${encodeURIComponent(id)}/attachments`;
}

/** `POST /api/conversations` `{ title? }`: a new conversation, for the first file attached in a new chat. */
export async function passOnCreateConversation(request: Request, serverUrl: string, doFetch: typeof fetch = fetch): Promise<Response> {
  const text = await request.text();
  if (new TextEncoder().encode(text).byteLength > MAX_JSON_BYTES)
    return problem(413, "too_large", "The request is too large: send a title of a few words at most.");
  return passOn(request, serverUrl, { method: "POST", path: "/api/conversations", body: text || "{}", contentType: "application/json" }, doFetch);
}

/**
 * `POST /api/conversations/:id/attachments`, multipart with the field `file`: streamed through as it arrives, cut off
 * with 413 once it passes the file limit (plus the multipart framing); the server checks the file itself.
 */
export async function passOnUpload(request: Request, id: string, serverUrl: string, maxFileBytes: number, doFetch: typeof fetch = fetch): Promise<Response> {
  if (!CONVERSATION_ID.test(id)) return problem(400, "invalid_request", "That is not a conversation id.");
  const contentType = request.headers.get("content-type");
  if (!contentType?.toLowerCase().startsWith("multipart/form-data")) {
    return problem(415, "unsupported_media_type", 'Upload the file as multipart/form-data, in the field "file".');
  }
  const limit = maxFileBytes + MULTIPART_ALLOWANCE;
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) return tooLarge(maxFileBytes);
  if (!request.body) return problem(400, "invalid_request", 'The upload is empty: send the file in the field "file".');
  let over = false;
  const body = limitBytes(request.body, limit, () => {
    over = true;
  });
  return passOn(
    request,
    serverUrl,
    { method: "POST", path: attachmentsPath(id), body, contentType, failure: () => (over ? tooLarge(maxFileBytes) : null) },
    doFetch,
  );
}

/** `GET /api/conversations/:id/attachments`: the conversation's files, `{ attachments }` (the unsent ones have `messageId: null`). */
export async function passOnListAttachments(request: Request, id: string, serverUrl: string, doFetch: typeof fetch = fetch): Promise<Response> {
  if (!CONVERSATION_ID.test(id)) return problem(400, "invalid_request", "That is not a conversation id.");
  return passOn(request, serverUrl, { method: "GET", path: attachmentsPath(id) }, doFetch);
}

/** `DELETE /api/conversations/:id/attachments/:attachmentId`: removes a file not sent yet. */
export async function passOnDeleteAttachment(
  request: Request,
  id: string,
  attachmentId: string,
  serverUrl: string,
  doFetch: typeof fetch = fetch,
): Promise<Response> {
  if (!CONVERSATION_ID.test(id) || !CONVERSATION_ID.test(attachmentId)) return problem(400, "invalid_request", "That is not a conversation's attachment.");
  return passOn(request, serverUrl, { method: "DELETE", path: `${attachmentsPath(id)}/${encodeURIComponent(attachmentId)}` }, doFetch);
}
