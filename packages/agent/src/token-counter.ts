/** Counts the tokens in a streamed delta. Providers stream about one token per delta, so that is the default. */
export type TokenCounter = (delta: string) => number;

export const countOnePerDelta: TokenCounter = (delta) => (delta.length > 0 ? 1 : 0);
