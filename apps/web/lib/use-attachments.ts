"use client";
import * as React from "react";
import type { Attachment, Conversation } from "@alma/protocol";
import { checkBeforeUpload, kindOfFile } from "./attachment-files";
import { type AttachmentChip, chipKey, chipsReducer, chipsWaitReason, NEW_CHAT, readyAttachments } from "./attachment-chips";
import { AttachmentApiError, type AttachmentsApi } from "./attachments-api";
import { loadDraft, saveDraft } from "./draft-store";

export interface AttachmentsController {
  /** the open conversation's chips (or the new chat's), in the order attached */
  chips: AttachmentChip[];
  /** why Send must wait (a file still uploading), or null */
  waitReason: string | null;
  maxBytes: number;
  add(files: readonly File[]): void;
  retry(localId: string): void;
  remove(localId: string): void;
  /** the ready files, taken off the composer by a send (failed ones are dropped with them) */
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
 * files are dropped together). Chips are kept per conversation, like drafts, until a send takes them.
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
          if (uploads.current.get(localId) === abort) uploads.current.delete(localId);
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
        return {
          localId,
          key: k,
          name: file.name,
          size: file.size,
          kind: kindOfFile(file.name, file.type),
          status: problem === null ? "uploading" : "failed",
          error: problem,
          retryable: false,
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
      if (chip?.status !== "failed") return;
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

  const chips = React.useMemo(() => all.filter((c) => c.key === key), [all, key]);
  const waitReason = chipsWaitReason(chips);
  return React.useMemo(() => ({ chips, waitReason, maxBytes, add, retry, remove, take }), [chips, waitReason, maxBytes, add, retry, remove, take]);
}
