"use client";
import * as React from "react";
import { ArrowUp, Square, X } from "lucide-react";
import type { TaskTypeChoice } from "@alma/protocol";
import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/select";
import { Tooltip } from "@/components/ui/tooltip";
import { kindOfFile } from "@/lib/attachment-files";
import { loadDraft, saveDraft } from "@/lib/draft-store";
import { useSendAvailability } from "@/lib/use-alma-chat";
import type { AttachmentsController } from "@/lib/use-attachments";
import { useQueuedSend } from "@/lib/use-queued-send";
import { AttachButton } from "./attach-button";
import { ComposerAttachments } from "./composer-attachments";
import { formatCount } from "@/lib/metrics-format";

const TASK_TYPES: { value: TaskTypeChoice; label: string; hint: string }[] = [
  { value: "auto", label: "Auto", hint: "Let alma decide" },
  { value: "conversational", label: "Conversational", hint: "A direct answer" },
  { value: "creative", label: "Creative", hint: "Writing, ideas" },
  { value: "analytical", label: "Analytical", hint: "Plan, steps, synthesis" },
];

/** the message box's element id: the skip link's target */
export const COMPOSER_ID = "composer";

/** Moves focus to the message box (the skip link, New chat). */
export function focusComposer(): void {
  document.getElementById(COMPOSER_ID)?.focus();
}

interface Props {
  conversationId: string | null;
  streaming: boolean;
  /** why sending is not possible now, or null */
  disabledReason: string | null;
  maxChars: number | null;
  taskType: TaskTypeChoice;
  onTaskTypeChange(t: TaskTypeChoice): void;
  /** sends the text; the ready files on the composer go with it (the page takes them from `attachments`) */
  onSend(text: string): void;
  onStop(): void;
  /** the files for the next message (button, paste; the page's drop zone adds to the same) */
  attachments?: AttachmentsController;
}

/**
 * What a paste attaches: files, unless it is text that came with pictures of itself (a copy from a word processor),
 * which pastes as text.
 */
function pastedFiles(data: DataTransfer | null): File[] {
  const files = Array.from(data?.files ?? []);
  if (files.length === 0) return [];
  const readable = files.some((f) => kindOfFile(f.name, f.type) !== null);
  return readable || !data?.types.includes("text/plain") ? files : [];
}

/**
 * Enter sends, Shift+Enter breaks the line; the draft is saved per conversation as it is typed. While the
 * socket is still connecting, Enter sends too: the message is queued and goes out on connect.
 */
export const Composer = React.memo(function Composer({
  conversationId,
  streaming,
  disabledReason,
  maxChars,
  taskType,
  onTaskTypeChange,
  onSend,
  onStop,
  attachments,
}: Props) {
  // The server renders the box empty (it cannot read localStorage); the first layout effect fills it.
  const [text, setText] = React.useState("");
  const ref = React.useRef<HTMLTextAreaElement>(null);
  const textRef = React.useRef(text);
  textRef.current = text;
  // the conversation whose draft the box shows; undefined until the first layout effect (hydration)
  const shownFor = React.useRef<{ id: string | null } | undefined>(undefined);
  // a message was sent from the new chat, and the server has not named its conversation yet
  const sentFromNew = React.useRef(false);
  const sending = useSendAvailability();
  const focusBox = React.useCallback(() => ref.current?.focus(), []);
  const reasonId = React.useId();

  // A layout effect, so it runs in the same task as the hydration commit: no keystroke can land between
  // React taking over the box and the box getting its text.
  React.useLayoutEffect(() => {
    const before = shownFor.current;
    shownFor.current = { id: conversationId };
    if (before === undefined) {
      // Keystrokes typed into the server-rendered box before hydration are only in the DOM, not in state:
      // adopt them (else the next render would wipe them), and let them win over a saved draft the user never saw.
      const typed = ref.current?.value ?? "";
      if (typed !== "") {
        setText(typed);
        saveDraft(conversationId, typed);
      } else {
        setText(loadDraft(conversationId));
      }
      return;
    }
    if (before.id === conversationId) return;
    if (before.id === null && sentFromNew.current) {
      sentFromNew.current = false;
      // The server named the conversation just started here: what is typed since belongs to it.
      const typed = textRef.current;
      if (typed !== "" && loadDraft(conversationId) === "") {
        saveDraft(null, "");
        saveDraft(conversationId, typed);
        return;
      }
    }
    setText(loadDraft(conversationId));
  }, [conversationId]);

  // A chat page starts in the message box (unless the user already put focus somewhere, or on a touch screen,
  // where focusing would pop the keyboard up over the page).
  React.useEffect(() => {
    const el = ref.current;
    const nowhere = document.activeElement === null || document.activeElement === document.body;
    if (el && nowhere && !window.matchMedia?.("(pointer: coarse)").matches) el.focus({ preventScroll: true });
  }, []);

  React.useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
  }, [text]);

  const tooLong = maxChars !== null && text.length > maxChars;
  // Only the connection is in the way, and the client is trying: what is sent now is queued for it.
  const queueable = disabledReason !== null && sending.queues;
  // One at a time: a second message before the first reached the server would start a conversation of its own.
  const waiting = sending.waiting > 0;
  const blocked = waiting
    ? "Sending when connected…"
    : disabledReason !== null && !queueable
      ? sending.failure !== null
        ? `Not connected: ${sending.failure}`
        : disabledReason
      : null;
  // a file that could not be attached holds Send (sending would leave it out); one still uploading only delays it
  const reason =
    blocked ??
    attachments?.holdReason ??
    (tooLong
      ? `The message is ${formatCount(text.length - maxChars!)} characters over the limit of ${formatCount(maxChars)}: shorten it, or attach the text as a file.`
      : null);
  const uploading = attachments?.waitReason ?? null;
  const hasFiles = attachments?.chips.some((c) => c.status === "ready") ?? false;
  const ready = !streaming && reason === null && text.trim().length > 0;
  const canSend = ready && uploading === null;

  const submit = () => {
    if (!canSend) return;
    if (conversationId === null) sentFromNew.current = true;
    onSend(text.trim());
    setText("");
    saveDraft(conversationId, "");
    // The conversation id is assigned by the server; the new-chat draft must not come back.
    saveDraft(null, "");
  };
  // Enter while a file uploads: the send waits for it and goes by itself
  const queued = useQueuedSend({ chips: attachments?.chips ?? [], canSend: ready, send: submit, scope: conversationId });
  const onEnter = () => {
    if (canSend) submit();
    else if (ready && uploading !== null) queued.queue();
  };

  const note =
    (blocked === null ? queued.cancelled : null) ??
    reason ??
    queued.waiting ??
    (uploading !== null && ready ? `${uploading} Enter sends the message once it is done.` : uploading) ??
    (queueable ? `${disabledReason} Enter sends once connected.` : null);
  // what the disabled Send says about itself (the note above, or that there is nothing to send yet)
  const whyNot = canSend
    ? null
    : queued.waiting !== null
      ? queued.waiting
      : ready
        ? "Send once the files are uploaded (Enter)"
        : (reason ?? (text.trim() === "" ? (hasFiles ? "Type a message to send with the files." : "Type a message to send.") : uploading));
  const sendEnabled = canSend || (ready && uploading !== null && queued.waiting === null);

  return (
    <form
      className="mx-auto w-full max-w-3xl px-3 pb-3 sm:px-4"
      onSubmit={(e) => {
        e.preventDefault();
        onEnter();
      }}
    >
      <div className="rounded-2xl border bg-background shadow-sm focus-within:ring-2 focus-within:ring-ring/40">
        {attachments && <ComposerAttachments attachments={attachments} onEmptied={focusBox} />}
        <textarea
          ref={ref}
          id={COMPOSER_ID}
          data-testid="composer"
          aria-label="Message"
          rows={1}
          placeholder="Message alma…"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            saveDraft(conversationId, e.target.value);
            // editing the message calls a queued send off (it would send what was not finished)
            queued.cancel();
            queued.clearCancelled();
          }}
          onPaste={(e) => {
            const files = attachments ? pastedFiles(e.clipboardData) : [];
            if (files.length === 0) return;
            e.preventDefault();
            attachments!.add(files);
          }}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              onEnter();
            }
          }}
          className="block max-h-60 w-full resize-none bg-transparent px-4 pt-3 pb-1 text-sm outline-none placeholder:text-muted-foreground"
        />
        <div className="flex items-center gap-2 px-2 pb-2">
          {attachments && <AttachButton onFiles={attachments.add} maxBytes={attachments.maxBytes} />}
          <Select value={taskType} onValueChange={onTaskTypeChange} options={TASK_TYPES} label="Task type" testId="task-type" />
          <p id={reasonId} className="min-w-0 flex-1 truncate text-xs text-muted-foreground" data-testid="composer-reason" aria-live="polite">
            {note ?? ""}
          </p>
          {queued.waiting !== null && (
            <Button type="button" size="sm" variant="ghost" data-testid="cancel-queued-send" onClick={queued.cancel}>
              <X /> Cancel
            </Button>
          )}
          {streaming ? (
            <Tooltip content="Stop (Esc)">
              <Button type="button" size="icon" variant="secondary" aria-label="Stop generating" data-testid="stop" onClick={onStop}>
                <Square className="fill-current" />
              </Button>
            </Tooltip>
          ) : (
            // aria-disabled, not disabled: the button itself stays reachable and named, and its tooltip says why it cannot send
            <Tooltip content={whyNot ?? (queueable ? "Send once connected (Enter)" : "Send (Enter)")}>
              <Button
                type="submit"
                size="icon"
                aria-label="Send message"
                aria-disabled={!sendEnabled || undefined}
                {...(note ? { "aria-describedby": reasonId } : {})}
                data-testid="send"
                onClick={(e) => {
                  if (!sendEnabled) e.preventDefault();
                }}
              >
                <ArrowUp />
              </Button>
            </Tooltip>
          )}
        </div>
      </div>
    </form>
  );
});
