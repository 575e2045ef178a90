"use client";
import * as React from "react";
import { Download, FileJson, FileText } from "lucide-react";
import { Button } from "@/components/ui/button";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuLabel, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { Tooltip } from "@/components/ui/tooltip";
import type { ExportFormat } from "@/lib/export-conversation";

/** The conversation header's Export menu: Markdown or JSON, as the server exports them. Memoized: the header renders every frame of a stream. */
export const ExportMenu = React.memo(function ExportMenu({ onExport }: { onExport(format: ExportFormat): void }) {
  return (
    <DropdownMenu>
      <Tooltip content="Export this conversation">
        <DropdownMenuTrigger asChild>
          <Button size="icon" variant="ghost" aria-label="Export conversation" data-testid="export-menu">
            <Download />
          </Button>
        </DropdownMenuTrigger>
      </Tooltip>
      <DropdownMenuContent>
        <DropdownMenuLabel>Export conversation</DropdownMenuLabel>
        <DropdownMenuItem data-testid="export-markdown" onSelect={() => onExport("markdown")}>
          <FileText aria-hidden /> Export as Markdown
        </DropdownMenuItem>
        <DropdownMenuItem data-testid="export-json" onSelect={() => onExport("json")}>
          <FileJson aria-hidden /> Export as JSON
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
});
