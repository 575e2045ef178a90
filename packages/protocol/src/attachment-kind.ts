import type { z } from "zod";
import type { attachmentKindSchema } from "./conversation.js";

/** What alma reads a file as; the server, the CLI and the page decide it the same way, here. */
export type AttachmentKind = z.infer<typeof attachmentKindSchema>;

const BY_EXTENSION: Record<string, AttachmentKind> = {
  txt: "text",
  text: "text",
  log: "text",
  md: "markdown",
  markdown: "markdown",
  csv: "csv",
  tsv: "csv",
  json: "json",
  pdf: "pdf",
};

const BY_MEDIA_TYPE: Record<string, AttachmentKind> = {
  "text/plain": "text",
  "text/markdown": "markdown",
  "text/x-markdown": "markdown",
  "text/csv": "csv",
  "text/tab-separated-values": "csv",
  "application/json": "json",
  "application/pdf": "pdf",
};

export const SUPPORTED_ATTACHMENTS = "text (.txt), Markdown (.md), CSV (.csv), JSON (.json) or PDF (.pdf)";

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
}

/** The kind a file claims to be: its extension first (browsers guess media types poorly), then its media type. */
export function attachmentKind(name: string, mediaType?: string): AttachmentKind | undefined {
  const byName = BY_EXTENSION[extensionOf(name)];
  if (byName) return byName;
  const type = mediaType?.split(";")[0]?.trim().toLowerCase() ?? "";
  return BY_MEDIA_TYPE[type] ?? (type.startsWith("text/") ? "text" : undefined);
}
