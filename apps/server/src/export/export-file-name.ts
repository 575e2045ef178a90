/**
 * The file an export is saved as: the title as a slug (accents dropped, lower case, words joined by "-", at most
 * 60 characters), or `conversation-<id>` for a title with nothing to keep; the web app's fallback is the same.
 */
export function exportFileName(title: string, conversationId: string, extension: "md" | "json"): string {
  const slug = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return `${slug || `conversation-${conversationId}`}.${extension}`;
}

/** `attachment; filename="…"`: the slug is plain ASCII, so no quoting or encoding is needed */
export function attachmentDisposition(fileName: string): string {
  return `attachment; filename="${fileName}"`;
}
