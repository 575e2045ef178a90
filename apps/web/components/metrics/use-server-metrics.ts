"use client";
import * as React from "react";
import type { AlmaClient } from "@alma/client";
import type { ServerMetrics } from "@alma/protocol";
import { addSample } from "@/lib/metrics-series";

/** about three minutes at the server's one sample a second */
export const MAX_SERVER_SAMPLES = 180;

/** The server's metrics frames, subscribed and kept only while the panel is mounted (i.e. open). */
export function useServerMetrics(client: AlmaClient | null, connected: boolean): ServerMetrics[] {
  const [samples, setSamples] = React.useState<ServerMetrics[]>([]);
  React.useEffect(() => {
    if (!client || !connected) return;
    const off = client.on("metrics.server", (m) => setSamples((xs) => addSample(xs, m, MAX_SERVER_SAMPLES)));
    try {
      client.subscribeMetrics(true);
    } catch {
      // not connected: the effect runs again when the connection opens
    }
    return () => {
      off();
      try {
        client.subscribeMetrics(false);
      } catch {
        // closed already
      }
    };
  }, [client, connected]);
  return samples;
}
