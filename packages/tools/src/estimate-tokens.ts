/** Counts the tokens of a text; pass a real tokenizer's count for exact budgets. */
export type CountTokens = (text: string) => number;

/** About 4 characters a token (English with a BPE vocabulary); over-counts code and under-counts CJK. */
export const estimateTokens: CountTokens = (text) => Math.ceil(text.length / 4);
