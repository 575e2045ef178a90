import { AlmaClientError } from "@alma/client";
import type { MessageError } from "./ui-message";

/** What a failed send, run or request shows on its message: the client's error as it is, anything else in words. */
export function toMessageError(error: unknown): MessageError {
  if (error instanceof AlmaClientError) return { code: error.code, message: error.message, retryable: error.retryable };
  return { code: "internal", message: error instanceof Error ? error.message : "Something went wrong; try again.", retryable: true };
}
