"use client";
import * as React from "react";
import { Upload } from "lucide-react";
import { SUPPORTED_FILES } from "@/lib/attachment-files";
import { cn } from "@/lib/utils";

function carriesFiles(e: React.DragEvent): boolean {
  return Array.from(e.dataTransfer?.types ?? []).includes("Files");
}

/**
 * The chat area as a drop target: while files are dragged over it, a drop zone says what dropping does; dropped
 * files go to `onFiles`. Drags of text or links pass through untouched.
 */
export function AttachmentDropZone({ onFiles, className, children }: { onFiles(files: File[]): void; className?: string; children: React.ReactNode }) {
  // dragenter and dragleave fire for every child crossed: count them, so the zone shows until the drag leaves the area
  const depth = React.useRef(0);
  const [over, setOver] = React.useState(false);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: dropping is the pointer's way; the composer's Attach files button is the keyboard's
    <div
      className={cn("relative", className)}
      data-testid="drop-target"
      onDragEnter={(e) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        depth.current++;
        setOver(true);
      }}
      onDragOver={(e) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = "copy";
      }}
      onDragLeave={(e) => {
        if (!carriesFiles(e)) return;
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setOver(false);
      }}
      onDrop={(e) => {
        depth.current = 0;
        setOver(false);
        const files = Array.from(e.dataTransfer?.files ?? []);
        if (files.length === 0) return;
        e.preventDefault();
        onFiles(files);
      }}
    >
      {children}
      {over && (
        <div
          data-testid="drop-zone"
          className="pointer-events-none absolute inset-2 z-30 flex flex-col items-center justify-center gap-2 rounded-2xl border-2 border-dashed border-primary bg-background/90 text-center"
        >
          <Upload className="size-6 text-primary" aria-hidden />
          <p className="text-sm font-medium">Drop files to attach them</p>
          <p className="text-xs text-muted-foreground">{SUPPORTED_FILES}</p>
        </div>
      )}
    </div>
  );
}
