/** What a tool call's arguments show in the step: the code it runs, the query it searches, or its arguments in short. */
export type ToolArgumentsSummary = { kind: "code"; code: string; language: string } | { kind: "query"; query: string } | { kind: "text"; text: string };

const MAX_SHORT = 160;

function short(text: string): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > MAX_SHORT ? `${one.slice(0, MAX_SHORT - 1)}…` : one;
}

/**
 * The model writes a call's arguments as JSON text (cut at 2,000 characters by the server, or not JSON at all when
 * the model got it wrong): code (the calculator's `code`) is shown as code, a search's `query` as the words searched,
 * anything else as one short line.
 */
export function summarizeToolArguments(args: string): ToolArgumentsSummary {
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    return { kind: "text", text: short(args) };
  }
  if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
    const o = parsed as Record<string, unknown>;
    if (typeof o.code === "string") return { kind: "code", code: o.code, language: "js" };
    if (typeof o.query === "string") return { kind: "query", query: o.query };
    const entries = Object.entries(o);
    if (entries.length === 0) return { kind: "text", text: "no arguments" };
    return { kind: "text", text: short(entries.map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join(", ")) };
  }
  return { kind: "text", text: short(args) };
}

/** A Markdown code fence around `code`, longer than any run of backticks inside it. */
export function fenced(code: string, language: string): string {
  const longest = Math.max(2, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${language}\n${code}\n${fence}`;
}
