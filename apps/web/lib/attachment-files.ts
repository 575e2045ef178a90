import { type AttachmentKind, MAX_ATTACHMENTS_PER_MESSAGE, SUPPORTED_ATTACHMENTS, attachmentKind } from "@alma/protocol";
import { formatBytes } from "./format";

export type { AttachmentKind };

/** The server's default limit on one file (ALMA's attachment limits: 10 MB); the page is told the configured one. */
export const DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export { MAX_ATTACHMENTS_PER_MESSAGE };

/** what the file picker offers (the server reads more extensions of the same kinds; these are the usual ones) */
export const ACCEPTED_FILES = ".txt,.md,.markdown,.csv,.json,.pdf,text/plain,text/markdown,text/csv,application/json,application/pdf";

export const SUPPORTED_FILES = SUPPORTED_ATTACHMENTS;

const KIND_LABEL: Record<AttachmentKind, string> = { text: "Text", markdown: "Markdown", csv: "CSV", json: "JSON", pdf: "PDF" };

export function kindLabel(kind: AttachmentKind): string {
  return KIND_LABEL[kind];
}

/** The kind a file's name says (its extension first, as the server reads it), then its media type; null when alma reads neither. */
export function kindOfFile(name: string, mediaType = ""): AttachmentKind | null {
  return attachmentKind(name, mediaType) ?? null;
}

/** A file's size and, for a PDF, its pages: "12.3 KB · 4 pages". */
export function describeSize(bytes: number, pages: number | null = null): string {
  const size = formatBytes(bytes);
  return pages === null ? size : `${size} · ${pages} page${pages === 1 ? "" : "s"}`;
}

/**
 * Why a file cannot be attached, known before it is uploaded (its kind, its size, the message's count), or null.
 * What only its bytes tell (a PDF that is not one, an empty file) the server says after the upload.
 */
export function checkBeforeUpload(file: { name: string; size: number; type: string }, alreadyOnMessage: number, maxBytes: number): string | null {
  if (kindOfFile(file.name, file.type) === null) return `alma cannot read ${file.name}: attach ${SUPPORTED_FILES}.`;
  if (file.size > maxBytes)
    return `${file.name} is ${formatBytes(file.size)}; a file may be at most ${formatBytes(maxBytes)}. Attach a smaller file or split it.`;
  if (alreadyOnMessage >= MAX_ATTACHMENTS_PER_MESSAGE) {
    return `A message may carry at most ${MAX_ATTACHMENTS_PER_MESSAGE} files: send these first, or remove one to attach ${file.name}.`;
  }
  return null;
}

/** The server's limit on one file as the web app is told it (ALMA_ATTACHMENT_MAX_BYTES, the same setting the server reads), or the default. */
export function readMaxAttachmentBytes(env: Record<string, string | undefined> = process.env): number {
  const raw = env.ALMA_ATTACHMENT_MAX_BYTES;
  const n = raw === undefined ? Number.NaN : Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_MAX_ATTACHMENT_BYTES;
}
