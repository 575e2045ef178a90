"use client";
import type { AttachmentsController } from "@/lib/use-attachments";
import { AttachmentChip } from "./attachment-chip";

/** The files waiting to go with the next message, above the message box: each uploading, ready or failed (retry, remove). */
export function ComposerAttachments({ attachments }: { attachments: AttachmentsController }) {
  if (attachments.chips.length === 0) return null;
  return (
    <ul className="flex flex-wrap gap-1.5 px-3 pt-3" aria-label="Files to send" aria-live="polite" data-testid="composer-attachments">
      {attachments.chips.map((c) => (
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
          onRemove={() => attachments.remove(c.localId)}
        />
      ))}
    </ul>
  );
}
