"use client";
import * as React from "react";
import { Check, MessageSquarePlus, Pencil, Search, Trash2, X } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Tooltip } from "@/components/ui/tooltip";
import type { ConversationSummary } from "@/lib/use-conversations";
import { cn } from "@/lib/utils";

interface Props {
  items: ConversationSummary[];
  error: string | null;
  activeId: string | null;
  query: string;
  onQuery(q: string): void;
  onOpen(id: string): void;
  onNew(): void;
  onRename(id: string, title: string): void;
  onDelete(id: string, title: string): void;
}

function Item({ c, active, onOpen, onRename, onDelete }: { c: ConversationSummary; active: boolean } & Pick<Props, "onOpen" | "onRename" | "onDelete">) {
  const [editing, setEditing] = React.useState(false);
  const [title, setTitle] = React.useState(c.title);
  const save = () => {
    const t = title.trim();
    setEditing(false);
    if (t && t !== c.title) onRename(c.id, t);
  };
  if (editing) {
    return (
      <li className="flex items-center gap-1 px-2 py-1">
        <input
          // biome-ignore lint/a11y/noAutofocus: the user just opened this rename field (Rename); focus moves into it so they can type at once
          autoFocus
          aria-label="Conversation title"
          data-testid="rename-input"
          value={title}
          maxLength={200}
          onChange={(e) => setTitle(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") save();
            if (e.key === "Escape") setEditing(false);
          }}
          className="h-8 min-w-0 flex-1 rounded-md border bg-background px-2 text-sm"
        />
        <Button size="icon-sm" variant="ghost" aria-label="Save title" onClick={save}>
          <Check />
        </Button>
        <Button size="icon-sm" variant="ghost" aria-label="Cancel rename" onClick={() => setEditing(false)}>
          <X />
        </Button>
      </li>
    );
  }
  return (
    <li
      className={cn("group flex items-center rounded-md", active ? "bg-accent" : "hover:bg-muted")}
      data-testid="conversation-item"
      data-conversation-id={c.id}
      aria-current={active ? "page" : undefined}
    >
      <a
        href={`/c/${c.id}`}
        onClick={(e) => {
          if (e.metaKey || e.ctrlKey || e.shiftKey) return;
          e.preventDefault();
          onOpen(c.id);
        }}
        className="min-w-0 flex-1 px-3 py-2"
      >
        <span className="block truncate text-sm">{c.title || "New conversation"}</span>
        {c.snippet && <span className="block truncate text-xs text-muted-foreground">{c.snippet}</span>}
      </a>
      <div className="flex shrink-0 pr-1 opacity-100 sm:opacity-0 sm:group-focus-within:opacity-100 sm:group-hover:opacity-100">
        <Tooltip content="Rename">
          <Button
            size="icon-sm"
            variant="ghost"
            aria-label={`Rename ${c.title}`}
            data-testid="rename-conversation"
            onClick={() => {
              setTitle(c.title);
              setEditing(true);
            }}
          >
            <Pencil />
          </Button>
        </Tooltip>
        <Tooltip content="Delete (you can undo)">
          <Button size="icon-sm" variant="ghost" aria-label={`Delete ${c.title}`} data-testid="delete-conversation" onClick={() => onDelete(c.id, c.title)}>
            <Trash2 />
          </Button>
        </Tooltip>
      </div>
    </li>
  );
}

export const Sidebar = React.memo(function Sidebar({ items, error, activeId, query, onQuery, onOpen, onNew, onRename, onDelete }: Props) {
  return (
    <nav aria-label="Conversations" className="flex h-full flex-col gap-2 p-2" data-testid="sidebar">
      <Button variant="outline" className="justify-start" onClick={onNew} data-testid="new-chat">
        <MessageSquarePlus /> New chat
      </Button>
      <label className="relative block">
        <span className="sr-only">Search conversations</span>
        <Search className="pointer-events-none absolute top-2.5 left-2.5 size-4 text-muted-foreground" aria-hidden />
        <input
          type="search"
          data-testid="conversation-search"
          placeholder="Search titles and messages"
          value={query}
          onChange={(e) => onQuery(e.target.value)}
          className="h-9 w-full rounded-md border bg-background pr-2 pl-8 text-sm"
        />
      </label>
      {error && <p className="px-2 text-xs text-destructive">{error}</p>}
      <ul className="min-h-0 flex-1 space-y-0.5 overflow-y-auto" data-testid="conversation-list">
        {items.map((c) => (
          <Item key={c.id} c={c} active={c.id === activeId} onOpen={onOpen} onRename={onRename} onDelete={onDelete} />
        ))}
        {items.length === 0 && !error && (
          <li className="px-3 py-2 text-sm text-muted-foreground">{query ? "No conversation matches." : "No conversations yet."}</li>
        )}
      </ul>
    </nav>
  );
});
