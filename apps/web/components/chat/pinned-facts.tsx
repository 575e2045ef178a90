"use client";
import * as React from "react";
import { Pin, X } from "lucide-react";
import type { PinnedFact } from "@alma/protocol";
import { Button } from "@/components/ui/button";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import { Tooltip } from "@/components/ui/tooltip";

/** The conversation's pinned facts, each with its remove button; what to do when there are none. */
export function PinnedFactsList({ facts, onRemove }: { facts: PinnedFact[]; onRemove(fact: PinnedFact): void }) {
  if (facts.length === 0) {
    return (
      <p className="text-muted-foreground" data-testid="pinned-facts-empty">
        Nothing is pinned. Pin a message (its pin button) to keep it in the model's context for the rest of the conversation.
      </p>
    );
  }
  return (
    <ul className="max-h-80 space-y-1.5 overflow-y-auto" aria-label="Pinned facts">
      {facts.map((f) => (
        <li key={f.id} className="flex items-start gap-2 rounded-md border px-2.5 py-2" data-testid="pinned-fact" data-fact-id={f.id}>
          <span className="line-clamp-4 min-w-0 flex-1 whitespace-pre-wrap break-words">{f.text}</span>
          <Button
            size="icon-sm"
            variant="ghost"
            className="-mr-1 -mt-0.5"
            aria-label={`Unpin “${shorten(f.text)}”`}
            data-testid="unpin-fact"
            onClick={() => onRemove(f)}
          >
            <X />
          </Button>
        </li>
      ))}
    </ul>
  );
}

function shorten(text: string, max = 60): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** A header button showing how many facts are pinned; it opens their list. Memoized: the header renders every frame of a stream. */
export const PinnedFacts = React.memo(function PinnedFacts({ facts, onRemove }: { facts: PinnedFact[]; onRemove(fact: PinnedFact): void }) {
  const [open, setOpen] = React.useState(false);
  const label = facts.length === 0 ? "Pinned facts: none" : `Pinned facts: ${facts.length}`;
  return (
    <Popover open={open} onOpenChange={setOpen}>
      <Tooltip content="What stays in the model's context">
        <PopoverTrigger asChild>
          <Button size={facts.length > 0 ? "sm" : "icon"} variant="ghost" aria-label={label} data-testid="pinned-facts-toggle" data-count={facts.length}>
            <Pin />
            {facts.length > 0 && <span className="tabular-nums">{facts.length}</span>}
          </Button>
        </PopoverTrigger>
      </Tooltip>
      <PopoverContent aria-label="Pinned facts" data-testid="pinned-facts">
        <h2 className="mb-2 font-semibold">Pinned facts</h2>
        <p className="mb-2 text-xs text-muted-foreground">Always kept in the model's context, whatever else is trimmed.</p>
        <PinnedFactsList facts={facts} onRemove={onRemove} />
      </PopoverContent>
    </Popover>
  );
});
