import { randomUUID } from "node:crypto";
import type { Attachment } from "@alma/protocol";
import type { NewAttachment } from "./conversation-store.js";

/** What an upload becomes in either database: unsent (no message yet), its text measured, its pages counted. */
export function newAttachmentRecord(input: NewAttachment, now: number): Attachment {
  return {
    id: randomUUID(),
    conversationId: input.conversationId,
    messageId: null,
    name: input.name,
    kind: input.kind,
    mediaType: input.mediaType,
    bytes: input.bytes,
    chars: input.text.length,
    tokens: input.tokens,
    pages: input.pages ? input.pages.length : null,
    createdAt: now,
  };
}
