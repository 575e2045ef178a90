const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

/** Links from model output keep only web and mail addresses; javascript:, data:, vbscript: and the like become empty. */
export function safeUrl(url: string): string {
  const trimmed = url.trim();
  if (trimmed.startsWith("#")) return trimmed;
  try {
    // Control characters and whitespace inside a scheme ("java\tscript:") are what browsers ignore; strip them first.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point, so they can be stripped before parsing
    const normalized = trimmed.replace(/[\u0000-\u001F\u007F\s]+/g, "");
    const parsed = new URL(normalized, "https://relative.invalid/");
    if (!SAFE_PROTOCOLS.has(parsed.protocol)) return "";
    if (parsed.host === "relative.invalid") return "";
    return normalized;
  } catch {
    return "";
  }
}
