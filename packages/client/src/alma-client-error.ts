import type { ErrorCode } from "@alma/protocol";

/** Errors the client itself raises, next to the server's own error codes. */
export type ClientErrorCode =
  | "connection_failed"
  | "connection_lost"
  | "connection_closed"
  /** the server refused the page's origin (ALMA_ALLOWED_ORIGINS): trying again cannot help until its settings change */
  | "forbidden_origin"
  | "not_connected"
  | "handshake_timeout"
  | "request_timeout"
  | "invalid_input"
  | "invalid_server_frame"
  | "run_unavailable";

export type AlmaErrorCode = ErrorCode | ClientErrorCode;

export interface AlmaClientErrorInit {
  code: AlmaErrorCode;
  message: string;
  retryable?: boolean;
  retryAfterMs?: number;
  cause?: unknown;
}

/** Every failure the client reports carries a code a caller can branch on and a message a person can read. */
export class AlmaClientError extends Error {
  readonly code: AlmaErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(init: AlmaClientErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "AlmaClientError";
    this.code = init.code;
    this.retryable = init.retryable ?? false;
    this.retryAfterMs = init.retryAfterMs;
  }
}
