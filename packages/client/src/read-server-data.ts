import { parseServerFrame } from "@alma/protocol";
import type { InvalidFrameEvent, ReceivedFrame } from "./client-events.js";

/** One message from the socket as a valid server frame, or why it is not one. */
export function readServerData(data: unknown, receivedAt: number): { ok: true; received: ReceivedFrame } | { ok: false; invalid: InvalidFrameEvent } {
  if (typeof data !== "string") {
    return { ok: false, invalid: { reason: "the server sent a binary frame; alma frames are JSON text", issues: [], text: "", receivedAt } };
  }
  const parsed = parseServerFrame(data);
  if (!parsed.ok) return { ok: false, invalid: { reason: parsed.reason, issues: parsed.issues, text: data, receivedAt } };
  return { ok: true, received: { frame: parsed.frame, text: data, receivedAt } };
}
