"use client";
import * as React from "react";
import dynamic from "next/dynamic";
import { X } from "lucide-react";
import type { TaskTypeChoice } from "@alma/protocol";
import { Button } from "@/components/ui/button";
import { ToastRegion, Toaster, useToast } from "@/components/ui/toast";
import { TooltipProvider } from "@/components/ui/tooltip";
import { createAttachmentsApi } from "@/lib/attachments-api";
import { downloadConversation, type ExportFormat } from "@/lib/export-conversation";
import { useAlmaChat } from "@/lib/use-alma-chat";
import { useAttachments } from "@/lib/use-attachments";
import { useConversationUrl } from "@/lib/use-conversation-url";
import { useConversations } from "@/lib/use-conversations";
import { connectionFailure, conversationListError } from "@/lib/connection-failure";
import { cn } from "@/lib/utils";
import { COMPOSER_ID, Composer, focusComposer } from "./composer";
import { warmUpHighlighting } from "./markdown";
import { AttachmentDropZone } from "./attachment-drop-zone";
import { ConnectionBanner } from "./connection-banner";
import { ChatHeader } from "./chat-header";
import type { MessageActions } from "./message-item";
import { MessageList } from "./message-list";
import { SetupScreen } from "./setup-screen";
import { Sidebar } from "./sidebar";

// Charts are heavy and only needed once the panel opens.
const MetricsPanel = dynamic(() => import("@/components/metrics/metrics-panel").then((m) => m.MetricsPanel), { ssr: false });

interface ChatAppProps {
  serverUrl: string;
  initialConversationId: string | null;
  /** the largest file the server takes (ALMA_ATTACHMENT_MAX_BYTES): told before an upload */
  maxAttachmentBytes: number;
}

export function ChatApp(props: ChatAppProps) {
  return (
    <TooltipProvider>
      <Toaster>
        <ChatShell {...props} />
      </Toaster>
    </TooltipProvider>
  );
}

function ChatShell({ serverUrl, initialConversationId, maxAttachmentBytes }: ChatAppProps) {
  const chat = useAlmaChat(serverUrl, initialConversationId);
  const toast = useToast();
  const { state, connection, model } = chat;
  const [taskType, setTaskType] = React.useState<TaskTypeChoice>("auto");
  const [sidebarOpen, setSidebarOpen] = React.useState(false);
  const [metricsOpen, setMetricsOpen] = React.useState(false);
  const [query, setQuery] = React.useState("");
  const connected = connection.status === "open";
  const conversations = useConversations(chat.client, connected, query);
  // once the client has stopped trying (a refused origin or token, the attempts ran out), nothing is loading any more
  const failure = connectionFailure(connection);

  const { open } = chat;
  useConversationUrl(state.conversationId, open);

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

  const attachmentsApi = React.useMemo(() => createAttachmentsApi(), []);
  const { send, adopt } = chat;
  const attachments = useAttachments({
    conversationId,
    api: attachmentsApi,
    maxBytes: maxAttachmentBytes,
    // the new chat's first file created a conversation: the page (URL, sidebar) belongs to it now, as after a first send
    onCreated: (conversation) => {
      adopt(conversation);
      refresh();
    },
  });
  const takeAttachments = attachments.take;
  const onSend = React.useCallback((text: string) => send(text, taskType, takeAttachments()), [send, taskType, takeAttachments]);

  const sidebar = (
    <Sidebar
      items={conversations.items}
      loaded={conversations.loaded}
      error={conversationListError(conversations.error, conversations.loaded, connection)}
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
  const empty = showSetup ? (
    <SetupScreen model={model} />
  ) : state.loadingHistory && failure ? (
    <p className="px-4 py-10 text-center text-sm text-muted-foreground" data-testid="history-unavailable">
      Cannot load the conversation: {failure}.
    </p>
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
        <ChatHeader
          title={title}
          conversationId={conversationId}
          pinnedFacts={state.pinnedFacts}
          context={state.context}
          summarizedCount={state.summarizedCount}
          model={model}
          connected={connected}
          everConnected={chat.everConnected}
          connectionFailed={failure !== null}
          metricsOpen={metricsOpen}
          setMetricsOpen={setMetricsOpen}
          setSidebarOpen={setSidebarOpen}
          onUnpin={onUnpin}
          onExport={onExport}
        />
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
          <AttachmentDropZone onFiles={attachments.add} className={cn("flex min-w-0 flex-1 flex-col", metricsOpen && "hidden lg:flex")}>
            {showSetup && state.messages.length > 0 && <SetupScreen model={model} />}
            <MessageList messages={state.messages} busy={busy} connected={connected} actions={actions} empty={empty} />
            <Composer
              conversationId={state.conversationId}
              streaming={busy}
              disabledReason={disabledReason}
              maxChars={chat.limits?.maxMessageChars ?? null}
              taskType={taskType}
              onTaskTypeChange={setTaskType}
              onSend={onSend}
              onStop={stop}
              attachments={attachments}
            />
          </AttachmentDropZone>
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
