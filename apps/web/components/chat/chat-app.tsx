"use client";
import * as React from "react";
import dynamic from "next/dynamic";
import { BarChart3, PanelLeft, WifiOff, X } from "lucide-react";
import type { ModelStatus, TaskTypeChoice } from "@alma/protocol";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ToastRegion, Toaster, useToast } from "@/components/ui/toast";
import { Tooltip, TooltipProvider } from "@/components/ui/tooltip";
import { describeContextWindow } from "@/lib/describe-context-window";
import { downloadConversation, type ExportFormat } from "@/lib/export-conversation";
import { useAlmaChat } from "@/lib/use-alma-chat";
import { useConversations } from "@/lib/use-conversations";
import { cn } from "@/lib/utils";
import { COMPOSER_ID, Composer, focusComposer } from "./composer";
import { warmUpHighlighting } from "./markdown";
import { ConnectionBanner } from "./connection-banner";
import { ContextMeter } from "./context-meter";
import { ExportMenu } from "./export-menu";
import type { MessageActions } from "./message-item";
import { MessageList } from "./message-list";
import { PinnedFacts } from "./pinned-facts";
import { SetupScreen } from "./setup-screen";
import { Sidebar } from "./sidebar";
import { ThemeToggle } from "./theme-toggle";

// Charts are heavy and only needed once the panel opens.
const MetricsPanel = dynamic(() => import("@/components/metrics/metrics-panel").then((m) => m.MetricsPanel), { ssr: false });

/** The model badge's hint: who serves which model, and how large its window is and who said so. */
function modelSummary(model: ModelStatus): string {
  const w = model.window ?? (model.contextWindow ? { tokens: model.contextWindow } : null);
  return `${model.provider} · ${model.model ?? "model"}${w ? ` · ${describeContextWindow(w)}` : ""}`;
}

/** What the header's model badge shows: the model only while the socket is open; otherwise its status is not known. */
function modelBadge(
  model: ModelStatus | null,
  connected: boolean,
  everConnected: boolean,
): { text: string; hint: string; state: string; variant: "outline" | "warning" | "muted" } | null {
  if (!connected) {
    return everConnected
      ? {
          text: "disconnected",
          hint: "Not connected to the server: the model's status is unknown until alma reconnects.",
          state: "disconnected",
          variant: "muted",
        }
      : { text: "connecting…", hint: "Connecting to the server: the model's status is not known yet.", state: "connecting", variant: "muted" };
  }
  if (!model) return null;
  return model.ready
    ? { text: model.model ?? model.provider, hint: modelSummary(model), state: model.state, variant: "outline" }
    : { text: model.state, hint: model.problem ?? "No model is ready", state: model.state, variant: "warning" };
}

function conversationIdFromPath(pathname: string): string | null {
  const m = /^\/c\/([A-Za-z0-9_-]{1,128})\/?$/.exec(pathname);
  return m ? m[1]! : null;
}

export function ChatApp(props: { serverUrl: string; initialConversationId: string | null }) {
  return (
    <TooltipProvider>
      <Toaster>
        <ChatShell {...props} />
      </Toaster>
    </TooltipProvider>
  );
}

function ChatShell({ serverUrl, initialConversationId }: { serverUrl: string; initialConversationId: string | null }) {
  const chat = useAlmaChat(serverUrl, initialConversationId);
  const toast = useToast();
  const { state, connection, model } = chat;
  const [taskType, setTaskType] = React.useState<TaskTypeChoice>("auto");
  const [sidebarOpen, setSidebarOpen] = React.useState(false);
  const [metricsOpen, setMetricsOpen] = React.useState(false);
  const [query, setQuery] = React.useState("");
  const connected = connection.status === "open";
  const conversations = useConversations(chat.client, connected, query);

  // The URL names the conversation. Only the browser history API is used, so the page (and its socket) stays mounted.
  React.useEffect(() => {
    const id = state.conversationId;
    const want = id ? `/c/${id}` : "/";
    if (window.location.pathname !== want) window.history.pushState(null, "", want);
  }, [state.conversationId]);
  const { open } = chat;
  React.useEffect(() => {
    const onPop = () => open(conversationIdFromPath(window.location.pathname));
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, [open]);

  React.useEffect(() => warmUpHighlighting(), []);

  React.useEffect(() => {
    document.title = state.title ? `${state.title} · alma` : "alma";
  }, [state.title]);

  // Esc stops the answer from anywhere on the page.
  const { stop, streamingRunId } = chat;
  React.useEffect(() => {
    if (!streamingRunId) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !e.defaultPrevented) stop();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [streamingRunId, stop]);

  const busy = streamingRunId !== null;
  const { edit, regenerate, continueMessage, retry, client } = chat;
  const conversationId = state.conversationId;
  const actions = React.useMemo<MessageActions>(
    () => ({
      onEdit: (id, content) => edit(id, content, taskType),
      onRegenerate: () => regenerate(taskType),
      onContinue: continueMessage,
      onRetry: retry,
      onPin: (messageId, pinned) => {
        if (!client || !conversationId) return;
        const fact = state.pinnedFacts.find((f) => f.messageId === messageId);
        const req = pinned ? client.pin(conversationId, { messageId }) : fact ? client.unpin(conversationId, fact.id) : null;
        req
          ?.then(() => toast({ message: pinned ? "Pinned: it stays in the model's context." : "Unpinned." }))
          .catch((e: unknown) => toast({ message: `Could not ${pinned ? "pin" : "unpin"}: ${e instanceof Error ? e.message : "unknown error"}` }));
      },
    }),
    [edit, regenerate, continueMessage, retry, client, conversationId, taskType, state.pinnedFacts, toast],
  );

  const modelReady = model?.ready ?? false;
  const disabledReason = !connected
    ? chat.everConnected
      ? "Reconnecting… your message is kept."
      : "Connecting to the server…"
    : !modelReady
      ? model?.state === "loading"
        ? "The model is loading…"
        : model?.state === "downloading"
          ? "The model is downloading…"
          : "No model is ready: see the setup steps above."
      : null;

  const openConversation = React.useCallback(
    (id: string | null) => {
      open(id);
      setSidebarOpen(false);
    },
    [open],
  );
  const newConversation = React.useCallback(() => {
    openConversation(null);
    focusComposer();
  }, [openConversation]);
  const { removeLocal, renameLocal, refresh } = conversations;
  const activeId = state.conversationId;
  const stateRef = React.useRef(state);
  stateRef.current = state;

  const onDelete = React.useCallback(
    (id: string, title: string) => {
      if (!client) return;
      const wasOpen = id === activeId;
      client
        .delete(id)
        .then(() => {
          removeLocal(id);
          if (wasOpen) open(null);
          toast({
            message: `Deleted “${title}”.`,
            durationMs: 10_000,
            action: {
              label: "Undo",
              onClick: () => {
                client
                  .restore(id)
                  .then(() => {
                    refresh();
                    // deleting the open conversation left a new chat: Undo brings it back, unless another was opened meanwhile
                    if (wasOpen && stateRef.current.conversationId === null) open(id);
                  })
                  .catch((e: unknown) => toast({ message: `Could not restore: ${e instanceof Error ? e.message : "unknown error"}` }));
              },
            },
          });
        })
        .catch((e: unknown) => toast({ message: `Could not delete: ${e instanceof Error ? e.message : "unknown error"}` }));
    },
    [client, removeLocal, activeId, open, toast, refresh],
  );

  const onRename = React.useCallback(
    (id: string, title: string) => {
      if (!client) return;
      renameLocal(id, title);
      client.rename(id, title).catch((e: unknown) => {
        toast({ message: `Could not rename: ${e instanceof Error ? e.message : "unknown error"}` });
        refresh();
      });
    },
    [client, renameLocal, toast, refresh],
  );

  const onUnpin = React.useCallback(
    (fact: { id: string }) => {
      if (!client || !conversationId) return;
      client
        .unpin(conversationId, fact.id)
        .then(() => toast({ message: "Unpinned: it is no longer kept in the model's context." }))
        .catch((e: unknown) => toast({ message: `Could not unpin: ${e instanceof Error ? e.message : "unknown error"}` }));
    },
    [client, conversationId, toast],
  );

  const title = state.title ?? conversations.items.find((c) => c.id === state.conversationId)?.title ?? null;
  const onExport = React.useCallback(
    (format: ExportFormat) => {
      if (!conversationId) return;
      // the web app connects without a token (it has none to give): so does the export; a server with
      // ALMA_AUTH_TOKEN answers 401, shown in the toast
      downloadConversation({ conversationId, format, title, token: null })
        .then((fileName) => toast({ message: `Exported as ${fileName}.` }))
        .catch((e: unknown) => toast({ message: `Could not export: ${e instanceof Error ? e.message : "unknown error"}` }));
    },
    [conversationId, title, toast],
  );

  const { send } = chat;
  const onSend = React.useCallback((text: string) => send(text, taskType), [send, taskType]);

  const sidebar = (
    <Sidebar
      items={conversations.items}
      loaded={conversations.loaded}
      error={conversations.error}
      activeId={state.conversationId}
      query={query}
      onQuery={setQuery}
      onOpen={openConversation}
      onNew={newConversation}
      onRename={onRename}
      onDelete={onDelete}
    />
  );

  const showSetup = model !== null && !model.ready;
  const badge = modelBadge(model, connected, chat.everConnected);
  const empty = showSetup ? (
    <SetupScreen model={model} />
  ) : state.loadingHistory ? (
    <p className="px-4 py-10 text-center text-sm text-muted-foreground" data-testid="loading-history">
      Loading the conversation…
    </p>
  ) : (
    <div className="mx-auto max-w-xl px-4 py-16 text-center">
      <h2 className="text-2xl font-semibold">What can I help with?</h2>
      <p className="mt-2 text-sm text-muted-foreground">Answers stream as they are written. Pick a task type below, or let alma decide.</p>
    </div>
  );

  return (
    <div className="flex h-dvh overflow-hidden">
      <a
        href={`#${COMPOSER_ID}`}
        data-testid="skip-to-composer"
        className="sr-only rounded-md border bg-background text-sm font-medium shadow-lg focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-[60] focus:px-3 focus:py-2"
        onClick={(e) => {
          // focus only: following the #fragment would add a history entry (and a popstate) for nothing
          e.preventDefault();
          focusComposer();
        }}
      >
        Skip to message box
      </a>
      <aside className="hidden w-72 shrink-0 border-r bg-card md:block">{sidebar}</aside>
      {sidebarOpen && (
        <div className="fixed inset-0 z-40 md:hidden" role="dialog" aria-modal="true" aria-label="Conversations">
          <button type="button" className="absolute inset-0 bg-black/40" aria-label="Close conversations" onClick={() => setSidebarOpen(false)} />
          <div className="absolute inset-y-0 left-0 w-[85%] max-w-80 border-r bg-background shadow-xl">
            <div className="flex justify-end p-1">
              <Button size="icon-sm" variant="ghost" aria-label="Close conversations" onClick={() => setSidebarOpen(false)}>
                <X />
              </Button>
            </div>
            {sidebar}
          </div>
        </div>
      )}
      <main className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-12 shrink-0 items-center gap-2 border-b px-2 sm:px-3">
          <Button
            size="icon"
            variant="ghost"
            className="md:hidden"
            aria-label="Open conversations"
            data-testid="open-sidebar"
            onClick={() => setSidebarOpen(true)}
          >
            <PanelLeft />
          </Button>
          <h1 className="min-w-0 flex-1 truncate text-sm font-semibold" data-testid="conversation-title">
            {title ?? "alma"}
          </h1>
          {conversationId && <PinnedFacts facts={state.pinnedFacts} onRemove={onUnpin} />}
          {conversationId && <ExportMenu onExport={onExport} />}
          <ContextMeter context={state.context} summarizedCount={state.summarizedCount} modelWindow={model?.window ?? null} />
          {badge && (
            <Tooltip content={badge.hint}>
              <Badge
                tabIndex={0}
                variant={badge.variant}
                className="hidden max-w-48 truncate sm:inline-flex"
                aria-label={`Model: ${badge.text}. ${badge.hint}`}
                data-testid="model-status"
                data-state={badge.state}
                data-model-state={model?.state}
                data-window-source={connected ? model?.window?.source : undefined}
              >
                {!connected && <WifiOff className="size-3" aria-hidden />}
                {badge.text}
              </Badge>
            </Tooltip>
          )}
          <Tooltip content={metricsOpen ? "Hide metrics" : "Show metrics"}>
            <Button
              size="icon"
              variant={metricsOpen ? "secondary" : "ghost"}
              aria-label={metricsOpen ? "Hide metrics" : "Show metrics"}
              aria-pressed={metricsOpen}
              data-testid="metrics-toggle"
              onClick={() => setMetricsOpen((o) => !o)}
            >
              <BarChart3 />
            </Button>
          </Tooltip>
          <ThemeToggle />
        </header>
        <ConnectionBanner connection={connection} everConnected={chat.everConnected} serverUrl={serverUrl} onReconnect={chat.reconnectNow} />
        {state.notice && (
          <div role="alert" data-testid="notice" className="flex items-start gap-2 border-b border-destructive/30 bg-destructive/5 px-4 py-2 text-sm">
            <span className="flex-1">{state.notice.message}</span>
            <Button size="icon-sm" variant="ghost" aria-label="Dismiss" onClick={chat.dismissNotice}>
              <X />
            </Button>
          </div>
        )}
        <div className="relative flex min-h-0 flex-1">
          {/* toasts sit at the top of the conversation, below the header and banners: clear of the composer's controls; beside
              the metrics panel when both show, and at its foot when it fills a narrow screen (its close button is at the top) */}
          <ToastRegion className={cn("absolute inset-x-0 top-2", metricsOpen && "max-lg:top-auto max-lg:bottom-2 lg:right-96")} />
          <div className={cn("flex min-w-0 flex-1 flex-col", metricsOpen && "hidden lg:flex")}>
            {showSetup && state.messages.length > 0 && <SetupScreen model={model} />}
            <MessageList messages={state.messages} busy={busy} actions={actions} empty={empty} />
            <Composer
              conversationId={state.conversationId}
              streaming={busy}
              disabledReason={disabledReason}
              maxChars={chat.limits?.maxMessageChars ?? null}
              taskType={taskType}
              onTaskTypeChange={setTaskType}
              onSend={onSend}
              onStop={stop}
            />
          </div>
          {metricsOpen && (
            <div className="w-full shrink-0 lg:w-96">
              <MetricsPanel client={client} connected={connected} messages={state.messages} context={state.context} onClose={() => setMetricsOpen(false)} />
            </div>
          )}
        </div>
      </main>
    </div>
  );
}
