"use client";
import * as React from "react";

/** the conversation a path names (`/c/<id>`), or null for the new chat */
export function conversationIdFromPath(pathname: string): string | null {
  const m = /^\/c\/([A-Za-z0-9_-]{1,128})\/?$/.exec(pathname);
  return m ? m[1]! : null;
}

/**
 * The URL names the conversation: it follows the open one, and Back/Forward open the one it names. Only the browser
 * history API is used, so the page (and its socket) stays mounted.
 */
export function useConversationUrl(conversationId: string | null, open: (id: string | null) => void): void {
  React.useEffect(() => {
    const want = conversationId ? `/c/${conversationId}` : "/";
    if (window.location.pathname !== want) window.history.pushState(null, "", want);
  }, [conversationId]);
  React.useEffect(() => {
    const onPop = () => open(conversationIdFromPath(window.location.pathname));
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, [open]);
}
