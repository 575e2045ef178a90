import { z } from "zod";

/** Every error a client can receive has one of these codes, so clients can react without parsing prose. */
export const errorCodeSchema = z.enum([
  // frame level
  "invalid_json",
  "invalid_frame",
  "unsupported_version",
  "handshake_required",
  "frame_too_large",
  "binary_frame",
  "unauthorized",
  // request level
  "not_found",
  "conflict",
  "rate_limited",
  "too_many_runs",
  "too_many_connections",
  "message_too_long",
  "system_too_long",
  "model_not_ready",
  "shutting_down",
  // provider level
  "provider_auth",
  "provider_model_not_found",
  "provider_rate_limit",
  "provider_context_length",
  "provider_unavailable",
  "provider_timeout",
  "provider_bad_request",
  "stream_interrupted",
  "local_model_error",
  "internal",
]);
export type ErrorCode = z.infer<typeof errorCodeSchema>;
