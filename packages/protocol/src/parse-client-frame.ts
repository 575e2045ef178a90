import { clientFrameSchema, clientFrameTypes, type ClientFrame } from "./client-frame.js";
import type { ErrorFrame } from "./server-frame.js";
import { formatZodIssues } from "./format-zod-issues.js";

export type ParseResult<T> = { ok: true; frame: T } | { ok: false; error: ErrorFrame };

/** Parses one text frame from a client; an invalid one yields the typed error frame to send back. */
export function parseClientFrame(text: string): ParseResult<ClientFrame> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail({ code: "invalid_json", message: "The frame is not valid JSON. Send one JSON object per text frame." });
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return fail({ code: "invalid_frame", message: "A frame must be a JSON object with a string field `type`." });
  }
  const rawType = (json as { type?: unknown }).type;
  const requestId = typeof (json as { requestId?: unknown }).requestId === "string" ? (json as { requestId: string }).requestId : undefined;
  if (typeof rawType !== "string") {
    return fail({ code: "invalid_frame", message: "A frame must have a string field `type`.", requestId });
  }
  if (!(clientFrameTypes as string[]).includes(rawType)) {
    return fail({
      code: "invalid_frame",
      message: `Unknown frame type "${rawType.slice(0, 64)}". Known types: ${clientFrameTypes.join(", ")}.`,
      frameType: rawType.slice(0, 64),
      requestId,
    });
  }
  const parsed = clientFrameSchema.safeParse(json);
  if (!parsed.success) {
    const issues = formatZodIssues(parsed.error);
    return fail({
      code: "invalid_frame",
      message: `Invalid "${rawType}" frame: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
      frameType: rawType,
      issues,
      requestId,
    });
  }
  return { ok: true, frame: parsed.data };
}

function fail(error: Omit<ErrorFrame, "type" | "retryable"> & { retryable?: boolean }): { ok: false; error: ErrorFrame } {
  return { ok: false, error: { type: "error", retryable: false, ...error } };
}
