export const DEFAULT_SERVER_URL = "ws://127.0.0.1:8787/ws";

/**
 * Read at request time on the server (not inlined at build), so `next start` picks up a changed
 * NEXT_PUBLIC_ALMA_SERVER_URL without a rebuild. The indirection keeps the bundler from inlining it.
 */
export function readServerUrl(env: Record<string, string | undefined> = process.env): string {
  const key = ["NEXT_PUBLIC", "ALMA_SERVER_URL"].join("_");
  const raw = env.ALMA_SERVER_URL ?? env[key];
  if (!raw) return DEFAULT_SERVER_URL;
  try {
    const url = new URL(raw);
    if (url.protocol !== "ws:" && url.protocol !== "wss:") return DEFAULT_SERVER_URL;
    return url.toString();
  } catch {
    return DEFAULT_SERVER_URL;
  }
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/**
 * The server's WebSocket URL as the browser of a page served at `pageHost` (the request's Host header) reaches it.
 * A loopback address names the server's machine only for a browser on that machine: a page opened at the machine's
 * network address (HOST=0.0.0.0, another device) reaches the server at that same name instead. Any other URL (a
 * proxy, a domain) is used as set.
 */
export function serverUrlForPage(url: string, pageHost: string | null | undefined): string {
  if (!pageHost) return url;
  const u = new URL(url);
  let page: URL;
  try {
    page = new URL(`http://${pageHost}`);
  } catch {
    return url;
  }
  if (!LOOPBACK.has(u.hostname) || LOOPBACK.has(page.hostname)) return url;
  u.hostname = page.hostname;
  return u.toString();
}

/** The origin a Content-Security-Policy connect-src must allow for the WebSocket. */
export function serverOrigin(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}`;
}

/**
 * The server's HTTP API base for its WebSocket URL: the same host and port, http(s) for ws(s), and the path the
 * socket's `/ws` sits under (`ws://127.0.0.1:8787/ws` → `http://127.0.0.1:8787`). No trailing slash.
 */
export function serverHttpBase(url: string): string {
  const u = new URL(url);
  const protocol = u.protocol === "wss:" ? "https:" : "http:";
  const path = u.pathname.replace(/\/ws\/?$/, "").replace(/\/+$/, "");
  return `${protocol}//${u.host}${path}`;
}
