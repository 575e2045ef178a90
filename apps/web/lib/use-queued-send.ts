"use client";
import * as React from "react";
import type { AttachmentChip } from "./attachment-chips";

export interface QueuedSend {
  /** a send is waiting for the files: what the composer says about it ("Sends when notes.txt is uploaded"), or null */
  waiting: string | null;
  /** a queued send was called off because a file failed: what happened and what to do, or null */
  cancelled: string | null;
  /** Enter while files upload: send once every one is ready */
  queue(): void;
  /** the user called it off (Cancel, or editing the message) */
  cancel(): void;
  clearCancelled(): void;
}

function names(chips: readonly AttachmentChip[]): string {
  const n = chips.map((c) => c.name);
  return n.length <= 2 ? n.join(" and ") : `${n.slice(0, -1).join(", ")} and ${n.at(-1)}`;
}

/** "Sends when notes.txt is uploaded" / "… when a.txt and b.csv are uploaded" / "… when 3 files are uploaded" */
export function waitingText(uploading: readonly AttachmentChip[]): string {
  if (uploading.length === 1) return `Sends when ${uploading[0]!.name} is uploaded`;
  return uploading.length <= 2 ? `Sends when ${names(uploading)} are uploaded` : `Sends when ${uploading.length} files are uploaded`;
}

/**
 * A send asked for while files are still uploading: it goes by itself once every chip is ready (`send` is then
 * called), and is called off with a notice when one fails meanwhile. `scope` changing (another conversation) calls
 * it off too.
 */
export function useQueuedSend({
  chips,
  canSend,
  send,
  scope,
}: {
  chips: readonly AttachmentChip[];
  /** nothing but the uploads is in the way (the connection, an answer streaming, an empty box) */
  canSend: boolean;
  send(): void;
  scope: unknown;
}): QueuedSend {
  const [queued, setQueued] = React.useState(false);
  const [cancelled, setCancelled] = React.useState<string | null>(null);
  const sendRef = React.useRef(send);
  sendRef.current = send;
  const uploading = chips.filter((c) => c.status === "uploading");
  const failed = chips.filter((c) => c.status === "failed");
  const failedNames = failed.length > 0 ? names(failed) : null;
  const allReady = uploading.length === 0 && failed.length === 0;

  React.useEffect(() => {
    if (!queued) return;
    if (failedNames !== null) {
      setQueued(false);
      setCancelled(`The message was not sent: ${failedNames} could not be attached. Remove or retry ${failed.length === 1 ? "it" : "them"}, then send again.`);
    } else if (allReady) {
      setQueued(false);
      // anything else in the way by now (the connection lost for good) shows as the composer's reason instead
      if (canSend) sendRef.current();
    }
  }, [queued, failedNames, failed.length, allReady, canSend]);

  // the files that failed are removed (or retried): the notice has done its work
  React.useEffect(() => {
    if (failedNames === null) setCancelled(null);
  }, [failedNames]);

  // another conversation's composer: a send queued in the last one does not follow
  React.useEffect(() => {
    setQueued(false);
    setCancelled(null);
  }, [scope]);

  const queue = React.useCallback(() => {
    setCancelled(null);
    setQueued(true);
  }, []);
  const cancel = React.useCallback(() => setQueued(false), []);
  const clearCancelled = React.useCallback(() => setCancelled(null), []);
  return { waiting: queued && uploading.length > 0 ? waitingText(uploading) : null, cancelled, queue, cancel, clearCancelled };
}
