import type { ConnectionState } from "@alma/client";

/** What fixes a refused origin, in words: the server's allow-list lives in its settings. */
export const ALLOWED_ORIGINS_FIX =
  "Add it to ALMA_ALLOWED_ORIGINS in the server's settings (.env at the repo root; the setting replaces the defaults, so list every address you open alma at) and restart the server.";

/** The connection failed for good because the server refused this page's origin (not in ALMA_ALLOWED_ORIGINS). */
export function isOriginRefused(connection: ConnectionState): boolean {
  return connection.status === "closed" && connection.error?.code === "forbidden_origin";
}

/**
 * Why nothing can load from the server, in a few words, once the connection has failed for good (the client stopped
 * trying); null while it is open or still trying, when "Loading…" is true.
 */
export function connectionFailure(connection: ConnectionState): string | null {
  if (connection.status !== "closed" || connection.error === null) return null;
  return isOriginRefused(connection) ? "the alma server refused this page's address" : "the connection to the alma server failed";
}

/** The page's origin, as the browser sends it in the WebSocket's Origin header; null when rendered on the server. */
export function pageOrigin(): string | null {
  return typeof window === "undefined" ? null : window.location.origin;
}

/**
 * What the conversation list says went wrong: its own request's error, else, while no list has arrived, a connection
 * that failed for good (the list would otherwise say "Loading conversations…" forever).
 */
export function conversationListError(listError: string | null, loaded: boolean, connection: ConnectionState): string | null {
  if (listError !== null || loaded) return listError;
  const failure = connectionFailure(connection);
  return failure ? `Cannot load conversations: ${failure}.` : null;
}
