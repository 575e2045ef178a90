import { serverFrameSchema, type ServerFrame } from "./server-frame.js";
import { formatZodIssues, type FrameIssue } from "./format-zod-issues.js";

export type ServerFrameParseResult = { ok: true; frame: ServerFrame } | { ok: false; reason: string; issues: FrameIssue[] };

/** Clients validate what the server sends too, so a version skew shows up as a clear error, not a broken UI. */
export function parseServerFrame(text: string): ServerFrameParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: "the server sent a frame that is not JSON", issues: [] };
  }
  const parsed = serverFrameSchema.safeParse(json);
  if (!parsed.success) {
    const issues = formatZodIssues(parsed.error);
    return { ok: false, reason: `the server sent an invalid frame: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues };
  }
  return { ok: true, frame: parsed.data };
}
