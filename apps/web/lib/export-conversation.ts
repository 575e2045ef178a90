import { serverHttpBase } from "./server-url";

export type ExportFormat = "markdown" | "json";

const EXTENSION: Record<ExportFormat, string> = { markdown: "md", json: "json" };

export function isExportFormat(value: unknown): value is ExportFormat {
  return value === "markdown" || value === "json";
}

/** a conversation id as the protocol allows it (idSchema) */
export const CONVERSATION_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** The server's endpoint: `GET <server>/api/conversations/<id>/export?format=…`. */
export function serverExportUrl(serverUrl: string, conversationId: string, format: ExportFormat): string {
  return `${serverHttpBase(serverUrl)}/api/conversations/${encodeURIComponent(conversationId)}/export?format=${format}`;
}

/**
 * What the page fetches: the web app's own route of the same path (app/api/conversations/[id]/export), which
 * passes the request on to the server's. Same origin, so the page's Content-Security-Policy (whose connect-src
 * names only the server's WebSocket) allows it, and an error can be shown instead of navigating away.
 */
export function exportPath(conversationId: string, format: ExportFormat): string {
  return `/api/conversations/${encodeURIComponent(conversationId)}/export?format=${format}`;
}

/** The file name a Content-Disposition header gives (`filename*=UTF-8''…` wins over `filename=…`), or null. */
export function fileNameFromDisposition(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) {
    try {
      return safeName(decodeURIComponent(star[1]!.trim().replace(/^"|"$/g, "")));
    } catch {
      // a malformed encoding: fall back to the plain filename
    }
  }
  const plain = /filename\s*=\s*("((?:[^"\\]|\\.)*)"|[^;]+)/.exec(header);
  if (!plain) return null;
  return safeName(plain[2] !== undefined ? plain[2].replace(/\\(.)/g, "$1") : plain[1]!.trim());
}

/** no folders, no control characters; null when nothing is left */
function safeName(name: string): string | null {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const clean = name.replace(/[/\\\u0000-\u001f]/g, "_").trim();
  return clean === "" || clean === "." || clean === ".." ? null : clean;
}

/** When the server's name cannot be read: the title as a slug (or the id), with the format's extension. */
export function fallbackFileName(title: string | null, conversationId: string, format: ExportFormat): string {
  const slug = (title ?? "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return `${slug || `conversation-${conversationId}`}.${EXTENSION[format]}`;
}

async function failureOf(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { message?: unknown };
    if (typeof body.message === "string" && body.message) return body.message;
  } catch {
    // not the server's JSON error body
  }
  return `the server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`;
}

export interface ExportRequest {
  conversationId: string;
  format: ExportFormat;
  title: string | null;
  /** the server's access token (ALMA_AUTH_TOKEN) when it has one: sent as `Authorization: Bearer` */
  token?: string | null;
  fetch?: typeof fetch;
  /** hands the file to the browser; the default clicks a download link to the blob */
  save?: (blob: Blob, fileName: string) => void;
}

function saveWithLink(blob: Blob, fileName: string): void {
  const href = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = href;
  a.download = fileName;
  a.rel = "noopener";
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

/**
 * Downloads the conversation as the server exports it: fetched (so the token can go in a header, never in the URL),
 * then saved under the server's file name, or one made of the title when the header cannot be read. Resolves with the
 * file name; rejects with a sentence to show.
 */
export async function downloadConversation(req: ExportRequest): Promise<string> {
  const doFetch = req.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(exportPath(req.conversationId, req.format), {
      headers: req.token ? { Authorization: `Bearer ${req.token}` } : {},
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new Error("the web app could not be reached");
  }
  if (!res.ok) throw new Error(await failureOf(res));
  const blob = await res.blob();
  const fileName = fileNameFromDisposition(res.headers.get("content-disposition")) ?? fallbackFileName(req.title, req.conversationId, req.format);
  (req.save ?? saveWithLink)(blob, fileName);
  return fileName;
}
