"use client";
import type * as React from "react";
import { CircleAlert, File, FileBraces, FileSpreadsheet, FileText, FileType, Loader2, RotateCw, X } from "lucide-react";
import { Button } from "@/components/ui/button";
import { type AttachmentKind, describeSize, kindLabel } from "@/lib/attachment-files";
import type { ChipStatus } from "@/lib/attachment-chips";
import { cn } from "@/lib/utils";

const KIND_ICON: Record<AttachmentKind, React.ComponentType<{ className?: string }>> = {
  text: FileText,
  markdown: FileType,
  csv: FileSpreadsheet,
  json: FileBraces,
  pdf: FileText,
};

interface Props {
  name: string;
  kind: AttachmentKind | null;
  bytes: number;
  pages?: number | null;
  status?: ChipStatus;
  /** why it failed, in words */
  error?: string | null;
  warnings?: readonly string[];
  onRemove?: () => void;
  onRetry?: () => void;
  testId?: string;
}

const UPLOADING = " · uploading…";

/** A file as a chip: kind icon, name, size (and pages), and on the composer its upload state with retry and remove. */
export function AttachmentChip({
  name,
  kind,
  bytes,
  pages = null,
  status = "ready",
  error = null,
  warnings = [],
  onRemove,
  onRetry,
  testId = "attachment-chip",
}: Props) {
  const Icon = kind ? KIND_ICON[kind] : File;
  const failed = status === "failed";
  const detail = [kind ? kindLabel(kind) : null, describeSize(bytes, pages)].filter(Boolean).join(" · ");
  return (
    <li
      data-testid={testId}
      data-status={status}
      data-kind={kind ?? undefined}
      className={cn(
        "flex max-w-full min-w-0 items-start gap-2 rounded-lg border bg-muted/40 px-2.5 py-1.5 text-xs sm:max-w-80",
        failed && "border-destructive/50 bg-destructive/5",
      )}
    >
      <span className="mt-0.5 shrink-0">
        {status === "uploading" ? (
          <Loader2 className="size-4 animate-spin text-primary" aria-hidden />
        ) : failed ? (
          <CircleAlert className="size-4 text-destructive" aria-hidden />
        ) : (
          <Icon className="size-4 text-muted-foreground" aria-hidden />
        )}
      </span>
      <span className="min-w-0 flex-1">
        <span className="block truncate font-medium" data-testid="attachment-name" title={name}>
          {name}
        </span>
        {/* on the composer the line keeps the room "· uploading…" took, so the chip does not shrink once it is ready */}
        <span className="grid text-muted-foreground">
          <span className="col-start-1 row-start-1" data-testid="attachment-detail">
            {detail}
            {status === "uploading" && UPLOADING}
          </span>
          {onRemove && status !== "uploading" && (
            <span className="invisible col-start-1 row-start-1" aria-hidden data-testid="attachment-detail-room">
              {detail}
              {UPLOADING}
            </span>
          )}
        </span>
        {failed && error && (
          <span className="mt-0.5 block whitespace-normal break-words text-destructive" data-testid="attachment-error">
            {error}
          </span>
        )}
        {!failed && warnings.length > 0 && (
          <span className="mt-0.5 block whitespace-normal break-words text-muted-foreground" data-testid="attachment-warning">
            {warnings.join(" ")}
          </span>
        )}
      </span>
      {(onRetry || onRemove) && (
        <span className="-my-0.5 -mr-1 flex shrink-0 items-center">
          {onRetry && (
            <Button size="icon-sm" variant="ghost" aria-label={`Retry uploading ${name}`} data-testid="attachment-retry" onClick={onRetry}>
              <RotateCw />
            </Button>
          )}
          {onRemove && (
            <Button size="icon-sm" variant="ghost" aria-label={`Remove ${name}`} data-testid="attachment-remove" onClick={onRemove}>
              <X />
            </Button>
          )}
        </span>
      )}
    </li>
  );
}
