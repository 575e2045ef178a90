// A word with its leading whitespace, a single punctuation mark with its leading whitespace, or trailing whitespace.
const TOKEN_PATTERN = /\s*(?:[\p{L}\p{N}_']+|[^\s\p{L}\p{N}_'])|\s+$/gu;

/** Splits text into word-ish tokens ("Hello", ",", " world") whose concatenation is the text again. */
export function splitIntoTokens(text: string): string[] {
  return text.match(TOKEN_PATTERN) ?? [];
}
