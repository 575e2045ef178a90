"use client";
import { WifiOff } from "lucide-react";
import type { ConnectionState } from "@alma/client";
import { Button } from "@/components/ui/button";

/** Shown while the socket is down; the client reconnects with backoff, and typed text is kept. */
export function ConnectionBanner({
  connection,
  everConnected,
  serverUrl,
  onReconnect,
}: {
  connection: ConnectionState;
  everConnected: boolean;
  serverUrl: string;
  onReconnect(): void;
}) {
  if (connection.status === "open" || connection.status === "idle") return null;
  if (connection.status === "connecting" && connection.attempt === 0 && !everConnected) return null;
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
