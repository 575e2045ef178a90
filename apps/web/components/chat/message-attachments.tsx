"use client";
import type { Attachment } from "@alma/protocol";
import { AttachmentChip } from "./attachment-chip";

/** The files a user message was sent with, as chips (name, kind, size; pages for a PDF). */
export function MessageAttachments({ attachments }: { attachments: readonly Attachment[] }) {
  if (attachments.length === 0) return null;
  return (
    <ul className="flex max-w-[85%] flex-wrap justify-end gap-1.5" aria-label="Attached files" data-testid="message-attachments">
      {attachments.map((a) => (
        <AttachmentChip key={a.id} name={a.name} kind={a.kind} bytes={a.bytes} pages={a.pages} testId="message-attachment" />
      ))}
    </ul>
  );
}
