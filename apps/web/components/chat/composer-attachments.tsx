"use client";
import * as React from "react";
import type { AttachmentsController } from "@/lib/use-attachments";
import { AttachmentChip } from "./attachment-chip";

/**
 * The files waiting to go with the next message, above the message box: each uploading, ready or failed (retry,
 * remove). Removing one moves focus to the next chip's Remove (the one before it, when it was the last), or to
 * `onEmptied`'s target (the message box) when none is left: never to the page's body.
 */
export function ComposerAttachments({ attachments, onEmptied }: { attachments: AttachmentsController; onEmptied?: () => void }) {
  const list = React.useRef<HTMLUListElement>(null);
  // the index of the chip just removed, until focus has moved on
  const removedAt = React.useRef<number | null>(null);
  const { chips } = attachments;
  React.useLayoutEffect(() => {
    const i = removedAt.current;
    if (i === null) return;
    removedAt.current = null;
    const buttons = list.current?.querySelectorAll<HTMLButtonElement>('[data-testid="attachment-remove"]') ?? [];
    const next = buttons[Math.min(i, buttons.length - 1)];
    if (next) next.focus();
    else onEmptied?.();
  }, [chips, onEmptied]);

  return (
    <>
      {attachments.restoreError && (
        <p className="px-4 pt-3 text-xs text-destructive" role="alert" data-testid="attachments-restore-error">
          {attachments.restoreError}
        </p>
      )}
      {chips.length > 0 && (
        <ul ref={list} className="flex flex-wrap gap-1.5 px-3 pt-3" aria-label="Files to send" aria-live="polite" data-testid="composer-attachments">
          {chips.map((c, i) => (
            <AttachmentChip
              key={c.localId}
              name={c.name}
              kind={c.kind}
              bytes={c.attachment?.bytes ?? c.size}
              pages={c.attachment?.pages ?? null}
              status={c.status}
              error={c.error}
              warnings={c.warnings}
              onRetry={c.status === "failed" && c.retryable ? () => attachments.retry(c.localId) : undefined}
              onRemove={() => {
                removedAt.current = i;
                attachments.remove(c.localId);
              }}
            />
          ))}
        </ul>
      )}
    </>
  );
}
