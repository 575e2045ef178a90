"use client";
import * as React from "react";
import { Paperclip } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Tooltip } from "@/components/ui/tooltip";
import { ACCEPTED_FILES, MAX_ATTACHMENTS_PER_MESSAGE } from "@/lib/attachment-files";
import { formatBytes } from "@/lib/format";

/** The paperclip: opens the file picker (several files at once); the files go to `onFiles`. */
export function AttachButton({ onFiles, maxBytes }: { onFiles(files: File[]): void; maxBytes: number }) {
  const input = React.useRef<HTMLInputElement>(null);
  const hint = `Attach files: text, Markdown, CSV, JSON or PDF, up to ${formatBytes(maxBytes)} each, ${MAX_ATTACHMENTS_PER_MESSAGE} per message`;
  return (
    <>
      <input
        ref={input}
        type="file"
        multiple
        accept={ACCEPTED_FILES}
        className="hidden"
        tabIndex={-1}
        aria-hidden
        data-testid="attach-input"
        onChange={(e) => {
          const files = Array.from(e.currentTarget.files ?? []);
          // cleared, so picking the same file again (after removing it) still fires a change
          e.currentTarget.value = "";
          if (files.length > 0) onFiles(files);
        }}
      />
      <Tooltip content={hint}>
        <Button type="button" size="icon" variant="ghost" aria-label="Attach files" data-testid="attach" onClick={() => input.current?.click()}>
          <Paperclip />
        </Button>
      </Tooltip>
    </>
  );
}
