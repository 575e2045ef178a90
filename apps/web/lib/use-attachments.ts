"use client";
import * as React from "react";
import type { Attachment, Conversation } from "@alma/protocol";
import { checkBeforeUpload, kindOfFile, MAX_ATTACHMENTS_PER_MESSAGE } from "./attachment-files";
import { type AttachmentChip, chipKey, chipsHoldReason, chipsReducer, chipsWaitReason, NEW_CHAT, readyAttachments } from "./attachment-chips";
import { AttachmentApiError, type AttachmentsApi } from "./attachments-api";
import { loadDraft, saveDraft } from "./draft-store";
import { moveUploads, noteUploadEnded, noteUploading, takeInterruptedUploads } from "./upload-journal";

export interface AttachmentsController {
  /** the open conversation's chips (or the new chat's), in the order attached */
  chips: AttachmentChip[];
  /** why Send must wait (a file still uploading), or null */
  waitReason: string | null;
  /** why Send is held until the user removes or retries a file (one could not be attached), or null */
  holdReason: string | null;
  /** the files attached earlier could not be loaded (after a reload): what happened and what to do, or null */
  restoreError: string | null;
  maxBytes: number;
  add(files: readonly File[]): void;
  retry(localId: string): void;
  remove(localId: string): void;
  /** the ready files, taken off the composer by a send (Send is held while a failed one remains) */
  take(): Attachment[];
}

interface Options {
  conversationId: string | null;
  api: AttachmentsApi;
  maxBytes: number;
  /** the new chat's first file created this conversation: the page belongs to it now (URL, sidebar) */
  onCreated(conversation: Conversation): void;
}

function messageOf(e: unknown): { error: string; retryable: boolean } {
  if (e instanceof AttachmentApiError) return { error: e.message, retryable: e.retryable };
  return { error: e instanceof Error ? e.message : "The upload failed; retry.", retryable: true };
}

let nextLocalId = 0;

/**
 * The composer's files: each is checked against what is known before uploading (kind, size, the message's count),
 * then uploaded to the open conversation; in a new chat the first one creates the conversation (once, however many
 * files are dropped together). Chips are kept per conversation, like drafts, until a send takes them. Opening a
 * conversation (a reload, say) brings back the files uploaded to it and not sent yet, from the server.
 */
export function useAttachments({ conversationId, api, maxBytes, onCreated }: Options): AttachmentsController {
  const [all, dispatch] = React.useReducer(chipsReducer, []);
  const allRef = React.useRef(all);
  allRef.current = all;
  const files = React.useRef(new Map<string, File>());
  const uploads = React.useRef(new Map<string, AbortController>());
  const creating = React.useRef<Promise<string> | null>(null);
  const onCreatedRef = React.useRef(onCreated);
  onCreatedRef.current = onCreated;
  const key = chipKey(conversationId);
  const keyRef = React.useRef(key);
  keyRef.current = key;
  // the conversations whose unsent files were asked for (or that this page created: it knows their files already)
  const listed = React.useRef(new Set<string>());
  // sends per conversation: a listing asked for before a send must not bring back what that send took
  const sends = React.useRef(new Map<string, number>());
  const [restoreError, setRestoreError] = React.useState<{ key: string; message: string } | null>(null);

  const conversationFor = React.useCallback(
    (chipKeyNow: string): Promise<string> => {
      if (chipKeyNow !== NEW_CHAT) return Promise.resolve(chipKeyNow);
      creating.current ??= api
        .createConversation()
        .then((conversation) => {
          // the new chat became this conversation: what is typed in it goes along (the composer loads the new id's draft)
          const typed = loadDraft(null);
          if (typed !== "" && loadDraft(conversation.id) === "") {
            saveDraft(conversation.id, typed);
            saveDraft(null, "");
          }
          // in one batch: the chips move with the page, so none disappears for a frame
          listed.current.add(conversation.id);
          moveUploads(NEW_CHAT, conversation.id);
          dispatch({ type: "moved", to: conversation.id });
          onCreatedRef.current(conversation);
          return conversation.id;
        })
        .finally(() => {
          creating.current = null;
        });
      return creating.current;
    },
    [api],
  );

  const upload = React.useCallback(
    (localId: string, chipKeyNow: string) => {
      const file = files.current.get(localId);
      if (!file) return;
      const abort = new AbortController();
      uploads.current.set(localId, abort);
      noteUploading(localId, chipKeyNow, file.name, file.size);
      conversationFor(chipKeyNow)
        .then((id) => {
          if (abort.signal.aborted) return null;
          return api.upload(id, file, abort.signal);
        })
        .then((result) => {
          if (result) dispatch({ type: "uploaded", localId, result });
        })
        .catch((e: unknown) => {
          if (!abort.signal.aborted) dispatch({ type: "failed", localId, ...messageOf(e) });
        })
        .finally(() => {
          if (uploads.current.get(localId) !== abort) return;
          uploads.current.delete(localId);
          noteUploadEnded(localId);
        });
    },
    [api, conversationFor],
  );

  const add = React.useCallback(
    (picked: readonly File[]) => {
      const k = keyRef.current;
      let counted = allRef.current.filter((c) => c.key === k && c.status !== "failed").length;
      const chips: AttachmentChip[] = picked.map((file) => {
        const localId = `file-${++nextLocalId}`;
        files.current.set(localId, file);
        const problem = checkBeforeUpload(file, counted, maxBytes);
        if (problem === null) counted++;
        // refused for the count alone: Retry once there is room
        const limited = problem !== null && checkBeforeUpload(file, 0, maxBytes) === null;
        return {
          localId,
          key: k,
          name: file.name,
          size: file.size,
          kind: kindOfFile(file.name, file.type),
          status: problem === null ? "uploading" : "failed",
          error: problem,
          retryable: false,
          limited,
          attachment: null,
          warnings: [],
        };
      });
      dispatch({ type: "added", chips });
      for (const c of chips) if (c.status === "uploading") upload(c.localId, k);
    },
    [maxBytes, upload],
  );

  const retry = React.useCallback(
    (localId: string) => {
      const chip = allRef.current.find((c) => c.localId === localId);
      if (chip?.status !== "failed" || !files.current.has(localId)) return;
      if (chip.limited) {
        const counted = allRef.current.filter((c) => c.key === chip.key && c.status !== "failed").length;
        if (counted >= MAX_ATTACHMENTS_PER_MESSAGE) return;
      }
      dispatch({ type: "uploading", localId });
      upload(localId, chip.key);
    },
    [upload],
  );

  const remove = React.useCallback(
    (localId: string) => {
      const chip = allRef.current.find((c) => c.localId === localId);
      uploads.current.get(localId)?.abort();
      uploads.current.delete(localId);
      noteUploadEnded(localId);
      files.current.delete(localId);
      dispatch({ type: "removed", localId });
      // an unsent file uploaded already goes from the server too; if that fails it stays unsent there, which sends nothing
      if (chip?.attachment) api.remove(chip.key, chip.attachment.id).catch(() => undefined);
    },
    [api],
  );

  const take = React.useCallback(() => {
    const k = keyRef.current;
    const mine = allRef.current.filter((c) => c.key === k && c.status !== "uploading");
    for (const c of mine) files.current.delete(c.localId);
    sends.current.set(k, (sends.current.get(k) ?? 0) + 1);
    dispatch({ type: "sent", key: k });
    return readyAttachments(mine);
  }, []);

  // uploads still going when the page goes away are cut off
  React.useEffect(() => {
    const running = uploads.current;
    return () => {
      for (const a of running.values()) a.abort();
    };
  }, []);

  // Opening a conversation: its unsent files come back from the server (once per page: after that the page knows
  // them), and the uploads an earlier load of this tab left unfinished are told.
  React.useEffect(() => {
    if (listed.current.has(key)) return;
    listed.current.add(key);
    const lost = takeInterruptedUploads(key);
    if (key === NEW_CHAT) {
      if (lost.length > 0) dispatch({ type: "restored", key, attachments: [], lost });
      return;
    }
    const sendsBefore = sends.current.get(key) ?? 0;
    api.list(key).then(
      (attachments) => {
        // a send since took the files it had: what the listing saw unsent has gone with it
        const unsent = (sends.current.get(key) ?? 0) === sendsBefore ? attachments.filter((a) => a.messageId === null) : [];
        // the server got a file whose answer the reload cut off: it is back, not lost
        const got = new Set(unsent.map((a) => a.name));
        dispatch({ type: "restored", key, attachments: unsent, lost: lost.filter((f) => !got.has(f.name)) });
      },
      (e: unknown) => {
        setRestoreError({ key, message: `${messageOf(e).error} Reload the page to try again.` });
        if (lost.length > 0) dispatch({ type: "restored", key, attachments: [], lost });
      },
    );
  }, [key, api]);

  const chips = React.useMemo(() => {
    const mine = all.filter((c) => c.key === key);
    // a chip refused for the count can be retried once another is removed
    const room = mine.filter((c) => c.status !== "failed").length < MAX_ATTACHMENTS_PER_MESSAGE;
    return mine.map((c) => (c.status === "failed" && c.limited && room && !c.retryable ? { ...c, retryable: true } : c));
  }, [all, key]);
  const waitReason = chipsWaitReason(chips);
  const holdReason = chipsHoldReason(chips);
  const restoreMessage = restoreError?.key === key ? restoreError.message : null;
  return React.useMemo(
    () => ({ chips, waitReason, holdReason, restoreError: restoreMessage, maxBytes, add, retry, remove, take }),
    [chips, waitReason, holdReason, restoreMessage, maxBytes, add, retry, remove, take],
  );
}
