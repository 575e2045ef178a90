import type { AttachmentError } from "./attachment-error.js";

export interface AttachmentLimits {
  /** one file; default 10 MB */
  maxBytes: number;
  /** files in one conversation; default 20 */
  maxCount: number;
  /** all files of one conversation together; default 50 MB */
  maxTotalBytes: number;
}

export const DEFAULT_ATTACHMENT_LIMITS: AttachmentLimits = { maxBytes: 10 * 1024 * 1024, maxCount: 20, maxTotalBytes: 50 * 1024 * 1024 };

/** Whether one more file may join a conversation's attachments; the error says which limit and by how much. */
export function checkAttachmentLimits(
  incoming: { name: string; size: number },
  existing: readonly { size: number }[],
  limits: Partial<AttachmentLimits> = {},
): AttachmentError | undefined {
  const { maxBytes, maxCount, maxTotalBytes } = { ...DEFAULT_ATTACHMENT_LIMITS, ...limits };
  if (incoming.size > maxBytes) {
    return { code: "too_large", message: `${incoming.name} is ${formatBytes(incoming.size)}; a file may be at most ${formatBytes(maxBytes)}` };
  }
  if (existing.length >= maxCount) {
    return {
      code: "too_many",
      message: `this conversation already has ${existing.length} attachments, the most it may have; remove one to attach ${incoming.name}`,
    };
  }
  const total = existing.reduce((sum, a) => sum + a.size, 0) + incoming.size;
  if (total > maxTotalBytes) {
    return {
      code: "too_large",
      message: `with ${incoming.name} the attachments would total ${formatBytes(total)}; a conversation may hold at most ${formatBytes(maxTotalBytes)}`,
    };
  }
  return undefined;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Number((bytes / 1024).toFixed(1))} KB`;
  return `${Number((bytes / (1024 * 1024)).toFixed(1))} MB`;
}
