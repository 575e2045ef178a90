const SNIPPET_CHARS = 120;

/** The LIKE pattern that finds `query` anywhere, its wildcards taken literally (the statements say ESCAPE '\\'). */
export function likePattern(query: string): string {
  return `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A short excerpt of `content` around the first case-insensitive occurrence of `query`. */
export function excerpt(content: string, query: string | undefined): string {
  const flat = content.replace(/\s+/g, " ").trim();
  const at = query ? flat.toLowerCase().indexOf(query.toLowerCase()) : -1;
  if (at < 0) return flat.length > SNIPPET_CHARS ? `${flat.slice(0, SNIPPET_CHARS)}…` : flat;
  const start = Math.max(0, at - 40);
  const end = Math.min(flat.length, start + SNIPPET_CHARS);
  return `${start > 0 ? "…" : ""}${flat.slice(start, end)}${end < flat.length ? "…" : ""}`;
}
