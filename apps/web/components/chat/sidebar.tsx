"use client";
import * as React from "react";
import { Check, Loader2, MessageSquarePlus, Pencil, Search, Trash2, X } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Tooltip } from "@/components/ui/tooltip";
import type { ConversationSummary } from "@/lib/use-conversations";
import { cn } from "@/lib/utils";

interface Props {
  items: ConversationSummary[];
  /** false until the first list has arrived: "No conversations yet." would be a guess */
  loaded: boolean;
  /** why the list could not load (shown instead of "Loading conversations…") */
  error: string | null;
  activeId: string | null;
  query: string;
  onQuery(q: string): void;
  onOpen(id: string): void;
  onNew(): void;
  onRename(id: string, title: string): void;
  onDelete(id: string, title: string): void;
}

/** A row's cells, in the order Left and Right move through them: the link, Rename, Delete. */
const COLUMNS = 3;
type Column = 0 | 1 | 2;
/** Where the list's one tab stop is: a row (by id) and a cell in it. */
interface Cursor {
  id: string | null;
  col: Column;
}

/** A snippet as a line of text: an answer's Markdown markers (headings, emphasis, list bullets) dropped. */
export function plainSnippet(snippet: string): string {
  return snippet
    .replace(/^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+|\d+\.\s+)/, "")
    .replace(/(\*\*|__|`)/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * The conversations worth listing: one with no message yet (untitled, no snippet: made by a first attach whose file
 * was then removed) is left out, unless it is the one open now. The server keeps it; it holds nothing to go back to.
 */
export function shownConversations(items: readonly ConversationSummary[], activeId: string | null): ConversationSummary[] {
  return items.filter((c) => c.id === activeId || c.title !== "" || c.snippet !== null);
}

function Item({
  c,
  active,
  tabCol,
  onOpen,
  onRename,
  onDelete,
}: { c: ConversationSummary; active: boolean /** the cell that is the list's tab stop, or null when it is in another row */; tabCol: Column | null } & Pick<
  Props,
  "onOpen" | "onRename" | "onDelete"
>) {
  const [editing, setEditing] = React.useState(false);
  const [title, setTitle] = React.useState(c.title);
  const link = React.useRef<HTMLAnchorElement>(null);
  // after a rename by keyboard, focus comes back to the row instead of falling to the page
  const refocus = React.useRef(false);
  React.useEffect(() => {
    if (editing || !refocus.current) return;
    refocus.current = false;
    link.current?.focus();
  }, [editing]);
  const stopEditing = () => {
    refocus.current = true;
    setEditing(false);
  };
  const save = () => {
    const t = title.trim();
    stopEditing();
    if (t && t !== c.title) onRename(c.id, t);
  };
  const tab = (col: Column) => (tabCol === col ? 0 : -1);
  if (editing) {
    return (
      <li className="flex items-center gap-1 px-2 py-1" data-conversation-id={c.id}>
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
            if (e.key === "Escape") stopEditing();
          }}
          className="h-8 min-w-0 flex-1 rounded-md border bg-background px-2 text-sm"
        />
        <Button size="icon-sm" variant="ghost" aria-label="Save title" onClick={save}>
          <Check />
        </Button>
        <Button size="icon-sm" variant="ghost" aria-label="Cancel rename" onClick={stopEditing}>
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
        ref={link}
        href={`/c/${c.id}`}
        tabIndex={tab(0)}
        data-col={0}
        data-testid="conversation-link"
        onClick={(e) => {
          if (e.metaKey || e.ctrlKey || e.shiftKey) return;
          e.preventDefault();
          onOpen(c.id);
        }}
        className="min-w-0 flex-1 rounded-md px-3 py-2"
      >
        <span className="block truncate text-sm">{c.title || "New conversation"}</span>
        {c.snippet && <span className="block truncate text-xs text-muted-foreground">{plainSnippet(c.snippet)}</span>}
      </a>
      <div className="flex shrink-0 pr-1 opacity-100 sm:opacity-0 sm:group-focus-within:opacity-100 sm:group-hover:opacity-100">
        <Tooltip content="Rename (F2)">
          <Button
            size="icon-sm"
            variant="ghost"
            tabIndex={tab(1)}
            data-col={1}
            aria-label={`Rename ${c.title}`}
            aria-keyshortcuts="F2"
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
          <Button
            size="icon-sm"
            variant="ghost"
            tabIndex={tab(2)}
            data-col={2}
            aria-label={`Delete ${c.title}`}
            aria-keyshortcuts="Delete"
            data-testid="delete-conversation"
            onClick={() => onDelete(c.id, c.title)}
          >
            <Trash2 />
          </Button>
        </Tooltip>
      </div>
    </li>
  );
}

/**
 * The conversation list is one tab stop (a roving tabindex): Up and Down (Home, End) move between conversations,
 * Left and Right between a conversation and its Rename and Delete; F2 renames and Delete deletes the focused one.
 */
export const Sidebar = React.memo(function Sidebar({ items: listed, loaded, error, activeId, query, onQuery, onOpen, onNew, onRename, onDelete }: Props) {
  const items = React.useMemo(() => shownConversations(listed, activeId), [listed, activeId]);
  const list = React.useRef<HTMLUListElement>(null);
  const hintId = React.useId();
  const [cursor, setCursor] = React.useState<Cursor>({ id: null, col: 0 });
  // the row holding the tab stop: the one last focused, else the open conversation, else the first
  const has = (id: string | null) => id !== null && items.some((c) => c.id === id);
  const stopId = has(cursor.id) ? cursor.id : has(activeId) ? activeId : (items[0]?.id ?? null);
  const stopCol: Column = stopId === cursor.id ? cursor.col : 0;

  const cell = (index: number, col: Column): HTMLElement | null =>
    list.current?.querySelectorAll<HTMLElement>('[data-testid="conversation-item"]')[index]?.querySelector<HTMLElement>(`[data-col="${col}"]`) ?? null;
  const moveTo = (index: number, col: Column) => {
    const target = items[index];
    if (!target) return;
    setCursor({ id: target.id, col });
    cell(index, col)?.focus();
  };

  const remove = (id: string, title: string) => {
    // focus moves to the next conversation (or the one before) rather than falling to the page
    const i = items.findIndex((c) => c.id === id);
    const j = items[i + 1] ? i + 1 : i - 1;
    if (i >= 0 && items[j] && list.current?.contains(document.activeElement)) moveTo(j, 0);
    onDelete(id, title);
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLUListElement>) => {
    const target = e.target as HTMLElement;
    const colAttr = target.getAttribute("data-col");
    const row = target.closest("li");
    if (colAttr === null || !row) return;
    const col = Number(colAttr) as Column;
    const index = items.findIndex((c) => c.id === row.getAttribute("data-conversation-id"));
    if (index < 0) return;
    const last = items.length - 1;
    const go: Record<string, () => void> = {
      ArrowDown: () => moveTo(Math.min(last, index + 1), 0),
      ArrowUp: () => moveTo(Math.max(0, index - 1), 0),
      Home: () => moveTo(0, 0),
      End: () => moveTo(last, 0),
      ArrowRight: () => moveTo(index, Math.min(COLUMNS - 1, col + 1) as Column),
      ArrowLeft: () => moveTo(index, Math.max(0, col - 1) as Column),
      F2: () => cell(index, 1)?.click(),
      Delete: () => remove(items[index]!.id, items[index]!.title),
    };
    const action = go[e.key];
    if (!action || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    action();
  };

  const onFocus = (e: React.FocusEvent<HTMLUListElement>) => {
    // a click or Shift+Tab lands somewhere in the list: that is where the tab stop is now
    const target = e.target as HTMLElement;
    const colAttr = target.getAttribute("data-col");
    const id = target.closest("li")?.getAttribute("data-conversation-id") ?? null;
    if (colAttr !== null && id !== null && (id !== cursor.id || Number(colAttr) !== cursor.col)) setCursor({ id, col: Number(colAttr) as Column });
  };

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
      {error && (
        <p className="px-2 text-xs text-destructive" data-testid="conversations-error">
          {error}
        </p>
      )}
      <span id={hintId} className="sr-only">
        Up and down arrows move between conversations; right arrow reaches Rename and Delete. F2 renames, Delete deletes.
      </span>
      <ul
        ref={list}
        className="min-h-0 flex-1 space-y-0.5 overflow-y-auto"
        data-testid="conversation-list"
        aria-describedby={items.length > 0 ? hintId : undefined}
        aria-busy={!loaded || undefined}
        onKeyDown={onKeyDown}
        onFocus={onFocus}
      >
        {items.map((c) => (
          <Item key={c.id} c={c} active={c.id === activeId} tabCol={c.id === stopId ? stopCol : null} onOpen={onOpen} onRename={onRename} onDelete={remove} />
        ))}
        {items.length === 0 && !error && !loaded && (
          <li className="flex items-center gap-2 px-3 py-2 text-sm text-muted-foreground" data-testid="conversations-loading">
            <Loader2 className="size-4 animate-spin" aria-hidden /> Loading conversations…
          </li>
        )}
        {items.length === 0 && !error && loaded && (
          <li className="px-3 py-2 text-sm text-muted-foreground" data-testid="conversations-empty">
            {query ? "No conversation matches." : "No conversations yet."}
          </li>
        )}
      </ul>
    </nav>
  );
});
