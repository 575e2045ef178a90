export type AttachmentErrorCode =
  | "too_large"
  | "too_many"
  | "empty"
  | "unsupported_type"
  | "content_mismatch"
  | "not_text"
  | "invalid_json"
  | "encrypted_pdf"
  | "damaged_pdf"
  | "no_text_layer";

/** Why a file could not be attached, said so the person attaching it knows what to do. */
export interface AttachmentError {
  code: AttachmentErrorCode;
  message: string;
}
