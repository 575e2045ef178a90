export type ContextOverflowCode = "system_too_long" | "message_too_long";

/**
 * The request cannot fit whatever is trimmed: the system prompt alone, or the newest user message
 * next to it, is over the prompt budget. `maxTokens` says how many content tokens would fit,
 * `actualTokens` how many there are, so the user can be told how long the message may be.
 */
export class ContextOverflowError extends Error {
  readonly code: ContextOverflowCode;
  readonly maxTokens: number;
  readonly actualTokens: number;

  constructor(code: ContextOverflowCode, message: string, opts: { maxTokens: number; actualTokens: number }) {
    super(message);
    this.name = "ContextOverflowError";
    this.code = code;
    this.maxTokens = opts.maxTokens;
    this.actualTokens = opts.actualTokens;
  }
}

export function isContextOverflowError(e: unknown): e is ContextOverflowError {
  return e instanceof ContextOverflowError;
}
