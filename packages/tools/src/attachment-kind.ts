// the kinds are the protocol's, so the page tells a file's kind exactly as the server reads it
export { type AttachmentKind, SUPPORTED_ATTACHMENTS, attachmentKind, extensionOf } from "@alma/protocol";
