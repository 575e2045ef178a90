"use client";
import * as React from "react";
import { ArrowDown } from "lucide-react";
import type { UiMessage } from "@/lib/chat-state";
import { Button } from "@/components/ui/button";
import { MessageItem, type MessageActions } from "./message-item";

const STICK_THRESHOLD_PX = 80;

/** Follows the answer as it grows unless the user has scrolled up; then offers "jump to latest". */
export function MessageList({
  messages,
  busy,
  connected,
  actions,
  empty,
}: {
  messages: UiMessage[];
  busy: boolean;
  /** whether the socket is open */
  connected: boolean;
  actions: MessageActions;
  empty: React.ReactNode;
}) {
  const scroller = React.useRef<HTMLDivElement>(null);
  const content = React.useRef<HTMLDivElement>(null);
  const stick = React.useRef(true);
  const [showJump, setShowJump] = React.useState(false);

  const scrollToBottom = React.useCallback((smooth = false) => {
    const el = scroller.current;
    if (!el) return;
    el.scrollTo({ top: el.scrollHeight, behavior: smooth ? "smooth" : "auto" });
  }, []);

  const onScroll = React.useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_THRESHOLD_PX;
    stick.current = atBottom;
    setShowJump(!atBottom);
  }, []);

  // Content growth does not fire scroll events, so watch the size and follow while stuck to the bottom.
  React.useEffect(() => {
    const el = content.current;
    if (!el) return;
    const ro = new ResizeObserver(() => {
      if (stick.current) scrollToBottom();
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [scrollToBottom]);

  // A new message of the user's own always brings the view down.
  const lastUserId = messages.findLast((m) => m.role === "user")?.id;
  React.useEffect(() => {
    stick.current = true;
    setShowJump(false);
    scrollToBottom();
  }, [lastUserId, scrollToBottom]);

  const lastUserIndex = messages.findLastIndex((m) => m.role === "user");
  return (
    <div className="relative min-h-0 flex-1">
      <div ref={scroller} onScroll={onScroll} className="h-full overflow-y-auto" data-testid="message-list" aria-label="Messages" role="log" aria-live="off">
        <div ref={content} className="py-4">
          {messages.length === 0 ? empty : null}
          {messages.map((m, i) => (
            <MessageItem
              key={m.id}
              message={m}
              isLast={i === messages.length - 1}
              isLastUser={i === lastUserIndex}
              busy={busy}
              connected={connected}
              actions={actions}
            />
          ))}
        </div>
      </div>
      {showJump && (
        <Button
          variant="outline"
          size="sm"
          className="absolute bottom-3 left-1/2 -translate-x-1/2 rounded-full shadow-md"
          data-testid="jump-latest"
          onClick={() => {
            stick.current = true;
            setShowJump(false);
            scrollToBottom(true);
          }}
        >
          <ArrowDown /> Jump to latest
        </Button>
      )}
    </div>
  );
}
