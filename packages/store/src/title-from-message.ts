const MAX_TITLE_CHARS = 60;

/** A conversation's title from its first user message: one line, at most ~60 characters, cut at a word. */
export function titleFromMessage(content: string): string {
  const line = content.replace(/\s+/g, " ").trim();
  if (line.length <= MAX_TITLE_CHARS) return line || "New conversation";
  const cut = line.slice(0, MAX_TITLE_CHARS);
  const lastSpace = cut.lastIndexOf(" ");
  return `${(lastSpace > MAX_TITLE_CHARS / 2 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
}
