"use client";
import * as React from "react";
import type { AlmaClient } from "@alma/client";
import type { ServerFrameOf } from "@alma/protocol";

export type ConversationSummary = ServerFrameOf<"conversation.list.result">["conversations"][number];

/** The sidebar's list: newest first, searched on the server by title and content, refreshed when a run ends. */
export function useConversations(client: AlmaClient | null, open: boolean, query: string) {
  const [items, setItems] = React.useState<ConversationSummary[]>([]);
  const [error, setError] = React.useState<string | null>(null);
  // false until the first answer (a list or an error): until then the list is loading, not empty
  const [loaded, setLoaded] = React.useState(false);
  const [tick, setTick] = React.useState(0);
  const refresh = React.useCallback(() => setTick((t) => t + 1), []);

  React.useEffect(() => {
    if (!client) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const later = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(refresh, 150);
    };
    const offs = [
      client.on("run.completed", later),
      client.on("run.error", later),
      client.on("conversation.updated", later),
      client.on("message.accepted", later),
    ];
    return () => {
      if (timer) clearTimeout(timer);
      for (const o of offs) o();
    };
  }, [client, refresh]);

  React.useEffect(() => {
    if (!client || !open) return;
    let cancelled = false;
    const t = setTimeout(
      () => {
        client
          .listConversations(query.trim() || undefined)
          .then((list) => {
            if (cancelled) return;
            setItems([...list].sort((a, b) => b.updatedAt - a.updatedAt));
            setError(null);
            setLoaded(true);
          })
          .catch((e: unknown) => {
            if (cancelled) return;
            setError(e instanceof Error ? e.message : "Could not load conversations.");
            setLoaded(true);
          });
      },
      query ? 200 : 0,
    );
    return () => {
      cancelled = true;
      clearTimeout(t);
    };
  }, [client, open, query, tick]);

  const removeLocal = React.useCallback((id: string) => setItems((xs) => xs.filter((x) => x.id !== id)), []);
  const renameLocal = React.useCallback((id: string, title: string) => setItems((xs) => xs.map((x) => (x.id === id ? { ...x, title } : x))), []);
  return { items, loaded, error, refresh, removeLocal, renameLocal };
}
