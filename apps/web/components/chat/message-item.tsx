"use client";
import * as React from "react";
import { ArrowRightToLine, Pencil, Pin, PinOff, RefreshCw } from "lucide-react";
import type { UiMessage } from "@/lib/chat-state";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Tooltip } from "@/components/ui/tooltip";
import { errorHelp } from "@/lib/error-help";
import { splitReview } from "@/lib/review-step";
import { cn } from "@/lib/utils";
import { CopyButton } from "./copy-button";
import { Markdown } from "./markdown";
import { MessageAttachments } from "./message-attachments";
import { MessageError } from "./message-error";
import { RunProgress } from "./run-progress";
import { ReviewSections, StepSections } from "./step-sections";

export interface MessageActions {
  onEdit(messageId: string, content: string): void;
  onRegenerate(): void;
  onContinue(messageId: string): void;
  onRetry(): void;
  onPin(messageId: string, pinned: boolean): void;
}

interface Props {
  message: UiMessage;
  isLast: boolean;
  isLastUser: boolean;
  busy: boolean;
  /** whether the socket is open (the interrupted answer's notice says when it can be continued) */
  connected: boolean;
  actions: MessageActions;
}

function UserMessage({ message, busy, connected, actions, isLastUser }: Props) {
  const [editing, setEditing] = React.useState(false);
  const [draft, setDraft] = React.useState(message.content);
  const submit = () => {
    const text = draft.trim();
    if (!text) return;
    setEditing(false);
    actions.onEdit(message.id, text);
  };
  return (
    <div className="group flex flex-col items-end gap-1">
      <MessageAttachments attachments={message.attachments} />
      {editing ? (
        <div className="w-full max-w-[85%] space-y-2">
          <textarea
            aria-label="Edit message"
            data-testid="edit-input"
            // biome-ignore lint/a11y/noAutofocus: the user just opened this edit field (Edit); focus moves into it so they can type at once
            autoFocus
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey) {
                e.preventDefault();
                submit();
              } else if (e.key === "Escape") {
                e.stopPropagation();
                setEditing(false);
              }
            }}
            className="min-h-20 w-full resize-y rounded-lg border bg-background p-3 text-sm"
          />
          <div className="flex justify-end gap-2">
            <Button size="sm" variant="ghost" onClick={() => setEditing(false)}>
              Cancel
            </Button>
            <Button size="sm" onClick={submit} data-testid="edit-save" disabled={busy}>
              Save and send
            </Button>
          </div>
        </div>
      ) : (
        <div
          className={cn("max-w-[85%] whitespace-pre-wrap break-words rounded-2xl bg-accent px-4 py-2.5 text-sm", message.pending && "opacity-80")}
          data-testid="message-content"
        >
          {message.content}
        </div>
      )}
      {message.error && <MessageError error={message.error} connected={connected} onRetry={isLastUser ? actions.onRetry : undefined} />}
      {!editing && (
        <div className="flex gap-0.5 opacity-100 transition-opacity sm:opacity-0 sm:group-focus-within:opacity-100 sm:group-hover:opacity-100">
          <CopyButton text={message.content} label="Copy message" testId="copy-message" />
          {!message.pending && !message.id.startsWith("local-") && (
            <Tooltip content="Edit and resend (later messages are replaced)">
              <Button
                size="icon-sm"
                variant="ghost"
                aria-label="Edit message"
                data-testid="edit-message"
                disabled={busy}
                onClick={() => {
                  setDraft(message.content);
                  setEditing(true);
                }}
              >
                <Pencil />
              </Button>
            </Tooltip>
          )}
          <PinButton message={message} actions={actions} />
        </div>
      )}
    </div>
  );
}

function PinButton({ message, actions }: Pick<Props, "message" | "actions">) {
  if (message.pending || message.id.startsWith("local-") || message.status === "streaming") return null;
  const label = message.pinned ? "Unpin from memory" : "Pin to memory (always kept in context)";
  return (
    <Tooltip content={label}>
      <Button
        size="icon-sm"
        variant="ghost"
        aria-label={label}
        aria-pressed={message.pinned}
        data-testid="pin-message"
        onClick={() => actions.onPin(message.id, !message.pinned)}
      >
        {message.pinned ? <PinOff /> : <Pin />}
      </Button>
    </Tooltip>
  );
}

function AssistantMessage({ message, isLast, busy, connected, actions }: Props) {
  const streaming = message.status === "streaming";
  const steps = React.useMemo(() => (message.steps ? splitReview(message.steps) : null), [message.steps]);
  const cut = message.finishReason === "length" || (message.status !== "complete" && message.status !== "streaming" && message.content.length > 0);
  // an interrupted answer's notice offers Continue itself: one Continue, beside the words that say when it works
  const noticeContinues = message.error !== null && errorHelp(message.error, connected).action === "continue";
  return (
    <div className="group flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2">
        {message.taskType && (
          <Badge variant="outline" data-testid="task-type-badge">
            {message.taskType}
          </Badge>
        )}
        {message.pinned && (
          <Badge variant="default">
            <Pin className="size-3" aria-hidden /> pinned
          </Badge>
        )}
        {message.cacheHit && <Badge variant="success">from cache</Badge>}
        {message.status === "stopped" && (
          <Badge variant="warning" data-testid="stopped-marker">
            Stopped
          </Badge>
        )}
        {message.status === "interrupted" && <Badge variant="warning">Interrupted</Badge>}
        {message.finishReason === "length" && <Badge variant="warning">Cut at the length limit</Badge>}
      </div>
      {streaming && message.progress && <RunProgress progress={message.progress} steps={message.steps} planning={message.planning} />}
      {steps && steps.plan.length > 0 && <StepSections steps={steps.plan} streaming={streaming} planning={streaming && message.planning} />}
      {(message.content || (streaming && !message.steps)) && (
        <div data-testid="message-content" className={cn("text-sm", message.steps && "rounded-lg border-l-2 border-primary/50 pl-3")}>
          {message.steps && <p className="mb-1 text-xs font-medium uppercase tracking-wide text-muted-foreground">Synthesis</p>}
          <Markdown text={message.content} streaming={streaming} />
          {streaming && <span className="ml-0.5 inline-block h-4 w-1.5 animate-pulse bg-foreground/60 align-text-bottom" aria-hidden />}
        </div>
      )}
      {/* the reviewer checks the answer: it reads after it */}
      {steps && steps.review.length > 0 && <ReviewSections steps={steps.review} streaming={streaming} />}
      {message.error && (
        <MessageError
          error={message.error}
          connected={connected}
          onRetry={isLast && !busy ? actions.onRetry : undefined}
          onContinue={isLast && !busy && message.content.length > 0 ? () => actions.onContinue(message.id) : undefined}
        />
      )}
      {!streaming && (
        <div className="flex flex-wrap gap-0.5">
          <CopyButton text={message.content} label="Copy answer" testId="copy-message" />
          {isLast && (
            <Tooltip content="Regenerate this answer">
              <Button size="icon-sm" variant="ghost" aria-label="Regenerate answer" data-testid="regenerate" disabled={busy} onClick={actions.onRegenerate}>
                <RefreshCw />
              </Button>
            </Tooltip>
          )}
          {isLast && cut && !noticeContinues && (
            <Button size="sm" variant="ghost" data-testid="continue" disabled={busy} onClick={() => actions.onContinue(message.id)}>
              <ArrowRightToLine /> Continue
            </Button>
          )}
          <PinButton message={message} actions={actions} />
        </div>
      )}
    </div>
  );
}

/** Finished messages keep their object identity in the reducer, so memo skips them while another streams. */
export const MessageItem = React.memo(function MessageItem(props: Props) {
  const { message } = props;
  return (
    <article
      data-testid="message"
      data-role={message.role}
      data-status={message.pending ? "pending" : message.status}
      data-message-id={message.id}
      aria-label={message.role === "user" ? "Your message" : "Answer"}
      className="mx-auto w-full max-w-3xl px-4 py-3"
    >
      {message.role === "user" ? <UserMessage {...props} /> : <AssistantMessage {...props} />}
    </article>
  );
});
