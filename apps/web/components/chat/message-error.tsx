"use client";
import { AlertTriangle, ArrowRightToLine, KeyRound, RotateCcw } from "lucide-react";
import { Button } from "@/components/ui/button";
import type { MessageError as MessageErrorData } from "@/lib/chat-state";
import { errorHelp } from "@/lib/error-help";

const retryLabel: Partial<Record<string, string>> = { "check-key": "Retry after fixing the key", "wait-model": "Retry when ready" };

interface Props {
  error: MessageErrorData;
  /** whether the socket is open: Continue needs the server, and the words say when it can be pressed */
  connected: boolean;
  onRetry?: () => void;
  onContinue?: () => void;
}

/** An error shown where it happened, in words, with the action that helps. */
export function MessageError({ error, connected, onRetry, onContinue }: Props) {
  const help = errorHelp(error, connected);
  // an answer cut by a shutdown is continued where it stopped, not asked again from scratch, and only once the server is back
  const action =
    help.action === "continue" && onContinue ? (
      <Button size="sm" variant="outline" onClick={onContinue} disabled={!connected} data-testid="error-continue">
        <ArrowRightToLine /> Continue
      </Button>
    ) : onRetry && help.action !== "none" && help.action !== "shorten" ? (
      <Button size="sm" variant="outline" onClick={onRetry} data-testid="retry">
        {help.action === "check-key" ? <KeyRound /> : <RotateCcw />}
        {retryLabel[help.action] ?? "Retry"}
      </Button>
    ) : null;
  return (
    <div role="alert" data-testid="message-error" data-code={error.code} className="mt-2 rounded-lg border border-destructive/40 bg-destructive/5 p-3 text-sm">
      <div className="flex items-start gap-2">
        <AlertTriangle className="mt-0.5 size-4 shrink-0 text-destructive" aria-hidden />
        <div className="min-w-0 flex-1 space-y-1">
          <p className="font-medium">{help.title}</p>
          {help.showMessage && <p className="text-muted-foreground">{error.message}</p>}
          {help.hint && <p className="text-muted-foreground">{help.hint}</p>}
        </div>
      </div>
      {action && <div className="mt-2 flex gap-2 pl-6">{action}</div>}
    </div>
  );
}
