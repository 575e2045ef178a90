"use client";
import * as React from "react";
import { Loader2, ShieldAlert, WifiOff } from "lucide-react";
import type { ConnectionState } from "@alma/client";
import { Button } from "@/components/ui/button";
import { ALLOWED_ORIGINS_FIX, isOriginRefused, pageOrigin as currentPageOrigin } from "@/lib/connection-failure";

/**
 * How long the very first connection may take before the page says it cannot reach the server: a server that is
 * still starting (`npm start` boots both at once) is not a failure. Whichever comes first: this long, or this many
 * failed attempts in a row (more than the jittered backoff, capped at 2 s, can make within the grace time).
 */
export const FIRST_CONNECT_GRACE_MS = 8_000;
export const FIRST_CONNECT_GRACE_ATTEMPTS = 16;

/** true from mount until `ms` have passed, while `active`; a state change re-renders when it runs out */
function useGrace(active: boolean, ms: number): boolean {
  const [over, setOver] = React.useState(false);
  React.useEffect(() => {
    if (!active || over) return;
    const t = setTimeout(() => setOver(true), ms);
    return () => clearTimeout(t);
  }, [active, over, ms]);
  return !over;
}

/**
 * Shown while the socket is down; the client reconnects with backoff, and typed text is kept. Before the first
 * connection it says "Connecting…" for the grace period, and only then that the server cannot be reached. A server
 * that refused this page's origin is not unreachable: it says so and how to fix it (the client has stopped trying).
 */
export function ConnectionBanner({
  connection,
  everConnected,
  serverUrl,
  onReconnect,
  graceMs = FIRST_CONNECT_GRACE_MS,
  graceAttempts = FIRST_CONNECT_GRACE_ATTEMPTS,
  pageOrigin,
}: {
  connection: ConnectionState;
  everConnected: boolean;
  serverUrl: string;
  onReconnect(): void;
  graceMs?: number;
  graceAttempts?: number;
  /** the origin the server refused; defaults to this page's */
  pageOrigin?: string | null;
}) {
  const firstConnect = !everConnected && connection.status !== "open" && connection.status !== "closed";
  const inGrace = useGrace(firstConnect, graceMs);
  if (connection.status === "open" || connection.status === "idle") return null;
  // the first attempt: normally over in a moment, so nothing flashes up
  if (connection.status === "connecting" && connection.attempt === 0 && !everConnected) return null;
  if (firstConnect && inGrace && connection.attempt < graceAttempts) {
    return (
      <div
        role="status"
        data-testid="connection-banner"
        data-state="first-connect"
        className="flex items-center gap-2 border-b bg-muted/40 px-4 py-2 text-sm text-muted-foreground"
      >
        <Loader2 className="size-4 shrink-0 animate-spin" aria-hidden />
        <span>Connecting to the alma server… Your draft is kept.</span>
      </div>
    );
  }
  if (isOriginRefused(connection)) {
    const origin = pageOrigin === undefined ? currentPageOrigin() : pageOrigin;
    return (
      <div
        role="alert"
        data-testid="connection-banner"
        data-state="origin-refused"
        className="flex flex-wrap items-center gap-2 border-b border-destructive/30 bg-destructive/5 px-4 py-2 text-sm"
      >
        <ShieldAlert className="size-4 shrink-0" aria-hidden />
        <span className="font-medium">{`The alma server refused this page's address${origin ? ` (${origin})` : ""}.`}</span>
        <span className="text-muted-foreground">{ALLOWED_ORIGINS_FIX}</span>
        <Button size="sm" variant="outline" onClick={onReconnect}>
          Try again
        </Button>
      </div>
    );
  }
  const text = everConnected ? "Connection lost. Reconnecting…" : `Cannot reach the alma server at ${serverUrl}. Retrying…`;
  const detail =
    connection.status === "reconnecting"
      ? `Attempt ${connection.attempt}, next in ${Math.max(1, Math.round(connection.delayMs / 1000))} s. Your draft is kept.`
      : connection.status === "closed"
        ? (connection.error?.message ?? "The connection is closed.")
        : "Your draft is kept.";
  return (
    <div
      role="alert"
      data-testid="connection-banner"
      data-state={connection.status}
      className="flex flex-wrap items-center gap-2 border-b border-warning/40 bg-warning/15 px-4 py-2 text-sm"
    >
      <WifiOff className="size-4 shrink-0" aria-hidden />
      <span className="font-medium">{text}</span>
      <span className="text-muted-foreground">{detail}</span>
      {connection.status === "closed" && (
        <Button size="sm" variant="outline" onClick={onReconnect}>
          Reconnect now
        </Button>
      )}
    </div>
  );
}
