import type { ToolErrorInfo } from "./tool-error.js";

/** What one tool call gave: never thrown, always timed, always sayable to the model. */
export type ToolCallResult =
  | { ok: true; tool: string; value: unknown; durationMs: number; toModelText(): string }
  | { ok: false; tool: string; error: ToolErrorInfo; durationMs: number; toModelText(): string };

/** The default bound of a tool message: about 2,000 tokens. */
export const DEFAULT_MAX_MODEL_TEXT_CHARS = 8_000;

/** Cuts a text to `maxChars`, saying how much was left out so the model knows it saw a part. */
export function truncateForModel(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const note = `\n… [truncated: ${text.length - maxChars} more characters]`;
  let cut = Math.max(0, maxChars - note.length);
  // do not split a surrogate pair
  if (cut > 0 && /[\uD800-\uDBFF]/.test(text[cut - 1] ?? "")) cut -= 1;
  return text.slice(0, cut) + note;
}

export function okResult(tool: string, value: unknown, durationMs: number, text: string, maxChars: number): ToolCallResult {
  return { ok: true, tool, value, durationMs, toModelText: () => truncateForModel(text, maxChars) };
}

export function errorResult(tool: string, error: ToolErrorInfo, durationMs: number, maxChars: number): ToolCallResult {
  return { ok: false, tool, error, durationMs, toModelText: () => truncateForModel(`Error (${error.code}): ${error.message}`, maxChars) };
}
