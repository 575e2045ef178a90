export const DEFAULT_SERVER_URL = "ws://127.0.0.1:8787/ws";

/**
 * Turns what a user types for --server into the WebSocket URL: http(s) becomes ws(s), a missing scheme
 * means ws, and a bare host gets the `/ws` path. Throws an Error with a readable message otherwise.
 */
export function resolveServerUrl(input: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? input : `ws://${input}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`"${input}" is not a server URL; use e.g. ${DEFAULT_SERVER_URL} or http://127.0.0.1:8787.`);
  }
  const schemes: Record<string, string> = { "http:": "ws:", "https:": "wss:", "ws:": "ws:", "wss:": "wss:" };
  const scheme = schemes[url.protocol];
  if (!scheme) throw new Error(`"${input}" uses ${url.protocol}//; the server speaks http(s):// or ws(s)://.`);
  url.protocol = scheme;
  if (url.pathname === "" || url.pathname === "/") url.pathname = "/ws";
  return url.toString();
}

/** The http(s) origin of a WebSocket URL, for messages that tell the user where the server should be. */
export function httpOrigin(wsUrl: string): string {
  const url = new URL(wsUrl);
  url.protocol = url.protocol === "wss:" ? "https:" : "http:";
  return url.origin;
}

/**
 * The base of the server's HTTP API (where `/api/...` lives) for the WebSocket URL the CLI resolved: ws(s)
 * becomes http(s) and the socket's `/ws` path goes, so a server behind a path prefix keeps it
 * (wss://host/alma/ws → https://host/alma). A socket path not ending in /ws says nothing of the API: the origin.
 * No trailing slash.
 */
export function httpBaseUrl(wsUrl: string): string {
  const url = new URL(wsUrl);
  const prefix = /^(.*)\/ws\/?$/.exec(url.pathname)?.[1] ?? "";
  return `${httpOrigin(wsUrl)}${prefix.replace(/\/+$/, "")}`;
}
