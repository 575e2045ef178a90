import type { Attachment } from "@alma/protocol";
import { StoreError, type ConversationStore } from "@alma/store";
import { type AttachmentErrorCode, type AttachmentLimits, checkAttachmentLimits, estimateTokens, extractAttachmentText } from "@alma/tools";
import type { UploadedFile } from "./read-upload.js";

export type UploadOutcome = { ok: true; attachment: Attachment; warnings: string[] } | { ok: false; status: number; error: string; message: string };

/** the HTTP status of each refusal: a limit (413), a kind alma does not read (415), content it cannot read (422) */
export const ATTACHMENT_ERROR_STATUS: Record<AttachmentErrorCode, number> = {
  too_large: 413,
  too_many: 413,
  unsupported_type: 415,
  empty: 422,
  content_mismatch: 422,
  not_text: 422,
  invalid_json: 422,
  encrypted_pdf: 422,
  damaged_pdf: 422,
  no_text_layer: 422,
};

const sentence = (message: string) => (/[.!?]$/.test(message) ? message : `${message}.`);

/**
 * Checks an uploaded file against the conversation's limits, extracts its text and stores it as an unsent attachment.
 * The limits are checked again right before the insert: another upload to the same conversation may have finished
 * while this one was being read.
 */
export async function uploadAttachment(store: ConversationStore, conversationId: string, file: UploadedFile, limits: AttachmentLimits): Promise<UploadOutcome> {
  const refuse = (code: AttachmentErrorCode, message: string): UploadOutcome => ({
    ok: false,
    status: ATTACHMENT_ERROR_STATUS[code],
    error: code,
    message: sentence(message),
  });
  const overLimit = async () =>
    checkAttachmentLimits(
      { name: file.name, size: file.size },
      (await store.listAttachments(conversationId)).map((a) => ({ size: a.bytes })),
      limits,
    );
  const before = await overLimit();
  if (before) return refuse(before.code, before.message);

  const extracted = await extractAttachmentText({ name: file.name, mediaType: file.mediaType, bytes: file.bytes }, { maxBytes: limits.maxBytes });
  if (!extracted.ok) return refuse(extracted.error.code, extracted.error.message);

  const after = await overLimit();
  if (after) return refuse(after.code, after.message);
  try {
    const attachment = await store.addAttachment({
      conversationId,
      name: file.name,
      kind: extracted.kind,
      mediaType: file.mediaType || "application/octet-stream",
      bytes: file.size,
      text: extracted.text,
      pages: extracted.pages ?? null,
      tokens: estimateTokens(extracted.text),
    });
    return { ok: true, attachment, warnings: extracted.warnings };
  } catch (error) {
    // the conversation was deleted while the file was read
    if (error instanceof StoreError && error.code === "not_found") {
      return { ok: false, status: 404, error: "not_found", message: "No such conversation (it may have been deleted)." };
    }
    throw error;
  }
}
