import type { ErrorCode } from "@alma/protocol";

export type LlmErrorCode =
  | Extract<
      ErrorCode,
      | "provider_auth"
      | "provider_model_not_found"
      | "provider_rate_limit"
      | "provider_context_length"
      | "provider_unavailable"
      | "provider_timeout"
      | "provider_bad_request"
      | "stream_interrupted"
      | "local_model_error"
      | "model_not_ready"
    >
  | "aborted";

/** A provider failure in words a user can act on, with whether trying again may help. */
export class LlmError extends Error {
  readonly code: LlmErrorCode;
  readonly retryable: boolean;
  readonly status: number | null;
  readonly retryAfterMs: number | null;
  /** true once any delta was yielded before the failure */
  readonly afterFirstToken: boolean;
  /** the context window a length refusal stated ("maximum context length is N"), null when it named none */
  readonly contextLimit: number | null;
  /**
   * the server refused the request's `tools` (a model or setup without function calling); the model's
   * `supportsTools()` is false from then on, and the request can go again through the JSON tool convention
   */
  readonly toolsRefused: boolean;

  constructor(
    code: LlmErrorCode,
    message: string,
    opts: {
      retryable?: boolean;
      status?: number | null;
      retryAfterMs?: number | null;
      afterFirstToken?: boolean;
      contextLimit?: number | null;
      toolsRefused?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = "LlmError";
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.status = opts.status ?? null;
    this.retryAfterMs = opts.retryAfterMs ?? null;
    this.afterFirstToken = opts.afterFirstToken ?? false;
    this.contextLimit = opts.contextLimit ?? null;
    this.toolsRefused = opts.toolsRefused ?? false;
  }
}

export function isLlmError(e: unknown): e is LlmError {
  return e instanceof LlmError;
}
