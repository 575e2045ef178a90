import { AlmaClientError } from "./alma-client-error.js";

/**
 * How the server refuses a socket from an origin not in its ALMA_ALLOWED_ORIGINS (apps/server, plugins/websocket.ts):
 * it accepts the upgrade only to close it at once with 1008 (policy violation) and a reason that starts with
 * `forbidden_origin:`. A browser cannot read the status of a refused upgrade; it can read a close's code and reason.
 */
export const ORIGIN_REFUSED_CLOSE_CODE = 1008;
const REASON_PREFIX = "forbidden_origin:";
const REASON_ORIGIN = /^forbidden_origin: (\S+) is not in ALMA_ALLOWED_ORIGINS$/;

/** The error for a close that is the server refusing this client's origin, or null for any other close. */
export function originRefusalOf(close: { code: number; reason: string }, url: string): AlmaClientError | null {
  if (close.code !== ORIGIN_REFUSED_CLOSE_CODE || !close.reason.startsWith(REASON_PREFIX)) return null;
  // a reason too long for a close frame leaves the origin out
  const origin = REASON_ORIGIN.exec(close.reason)?.[1];
  return new AlmaClientError({
    code: "forbidden_origin",
    message: `The alma server at ${url} refused this page's address${origin ? ` (${origin})` : ""}: it is not in the server's ALMA_ALLOWED_ORIGINS. Add it there and restart the server.`,
  });
}
