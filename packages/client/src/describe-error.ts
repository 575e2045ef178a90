import type { ErrorFrame } from "@alma/protocol";
import { AlmaClientError } from "./alma-client-error.js";

/** The message of whatever was thrown or reported, or "" when it has none. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  return "";
}

export function asClientError(error: unknown): AlmaClientError {
  return error instanceof AlmaClientError ? error : new AlmaClientError({ code: "connection_failed", message: describeError(error), cause: error });
}

/** The server's error frame as the error a caller gets. */
export function errorOfFrame(frame: ErrorFrame): AlmaClientError {
  return new AlmaClientError({ code: frame.code, message: frame.message, retryable: frame.retryable, retryAfterMs: frame.retryAfterMs });
}
