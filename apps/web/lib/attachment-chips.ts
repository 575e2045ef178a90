import type { Attachment } from "@alma/protocol";
import type { AttachmentKind } from "./attachment-files";
import { kindOfFile } from "./attachment-files";
import type { UploadResult } from "./attachments-api";
import type { InterruptedUpload } from "./upload-journal";

export type ChipStatus = "uploading" | "ready" | "failed";

/** A file on the composer, from the moment it is picked to the send that takes it. */
export interface AttachmentChip {
  localId: string;
  /** the conversation it is uploaded to; NEW_CHAT while the new chat has none yet */
  key: string;
  name: string;
  size: number;
  kind: AttachmentKind | null;
  status: ChipStatus;
  /** why it failed, in words for the user (the server's message when the server refused it) */
  error: string | null;
  /** a retry may work (the network, the server); a file the limits or the server refused will not */
  retryable: boolean;
  /** refused only for the message's file count: a retry works once a chip is removed */
  limited: boolean;
  attachment: Attachment | null;
  warnings: string[];
}

/** the key of the chips attached in a new chat, before the first one creates its conversation */
export const NEW_CHAT = "";

export function chipKey(conversationId: string | null): string {
  return conversationId ?? NEW_CHAT;
}

export type ChipAction =
  | { type: "added"; chips: AttachmentChip[] }
  | { type: "uploading"; localId: string }
  | { type: "uploaded"; localId: string; result: UploadResult }
  | { type: "failed"; localId: string; error: string; retryable: boolean; limited?: boolean }
  /** the new chat's first file created its conversation: its chips belong to it now */
  | { type: "moved"; to: string }
  | { type: "removed"; localId: string }
  /**
   * The conversation as the server keeps it, on opening it: its unsent files come back as ready chips, and the uploads
   * a reload cut off (that the server did not get) as failed ones that say so.
   */
  | { type: "restored"; key: string; attachments: readonly Attachment[]; lost: readonly InterruptedUpload[] }
  /** a message was sent from this conversation: its chips are done (the ready ones went with it) */
  | { type: "sent"; key: string };

function blankChip(localId: string, key: string, name: string, size: number): AttachmentChip {
  return { localId, key, name, size, kind: kindOfFile(name), status: "ready", error: null, retryable: false, limited: false, attachment: null, warnings: [] };
}

function update(chips: AttachmentChip[], localId: string, f: (c: AttachmentChip) => AttachmentChip): AttachmentChip[] {
  return chips.map((c) => (c.localId === localId ? f(c) : c));
}

export function chipsReducer(chips: AttachmentChip[], action: ChipAction): AttachmentChip[] {
  switch (action.type) {
    case "added":
      return [...chips, ...action.chips];
    case "uploading":
      return update(chips, action.localId, (c) => ({ ...c, status: "uploading", error: null, retryable: false, limited: false }));
    case "uploaded":
      return update(chips, action.localId, (c) =>
        // removed while uploading? then it is gone, and stays gone
        c.status === "uploading"
          ? { ...c, status: "ready", attachment: action.result.attachment, warnings: action.result.warnings, kind: action.result.attachment.kind }
          : c,
      );
    case "failed":
      return update(chips, action.localId, (c) => ({
        ...c,
        status: "failed",
        error: action.error,
        retryable: action.retryable,
        limited: action.limited ?? false,
      }));
    case "moved":
      return chips.map((c) => (c.key === NEW_CHAT ? { ...c, key: action.to } : c));
    case "removed":
      return chips.filter((c) => c.localId !== action.localId);
    case "restored": {
      const mine = chips.filter((c) => c.key === action.key);
      const known = new Set(mine.flatMap((c) => (c.attachment ? [c.attachment.id] : [])));
      // a file being uploaded now may be listed already, before its upload's answer names it
      const uploading = new Set(mine.filter((c) => c.status === "uploading").map((c) => c.name));
      const back = action.attachments
        .filter((a) => a.messageId === null && !known.has(a.id) && !uploading.has(a.name))
        .map((a, i): AttachmentChip => ({ ...blankChip(`restored-${a.id}-${i}`, action.key, a.name, a.bytes), kind: a.kind, status: "ready", attachment: a }));
      const lost = action.lost.map(
        (f, i): AttachmentChip => ({
          ...blankChip(`lost-${action.key}-${i}-${f.name}`, action.key, f.name, f.size),
          status: "failed",
          error: `${f.name} was still uploading when the page reloaded; attach it again.`,
        }),
      );
      return back.length + lost.length === 0 ? chips : [...back, ...chips, ...lost];
    }
    case "sent":
      return chips.filter((c) => c.key !== action.key || c.status === "uploading");
  }
}

/** The files a send takes: the ready ones, in the order they were attached. */
export function readyAttachments(chips: readonly AttachmentChip[]): Attachment[] {
  return chips.flatMap((c) => (c.status === "ready" && c.attachment ? [c.attachment] : []));
}

/** Why Send is held until the user acts: a file that could not be attached is still on the composer (sending would drop it). */
export function chipsHoldReason(chips: readonly AttachmentChip[]): string | null {
  return chips.some((c) => c.status === "failed") ? "Remove or retry the files that could not be attached." : null;
}

/** Why Send must wait for the chips, or null. */
export function chipsWaitReason(chips: readonly AttachmentChip[]): string | null {
  const uploading = chips.filter((c) => c.status === "uploading").length;
  if (uploading === 0) return null;
  return uploading === 1 ? "Waiting for the file to finish uploading…" : `Waiting for ${uploading} files to finish uploading…`;
}
