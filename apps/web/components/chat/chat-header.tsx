"use client";
import type * as React from "react";
import { BarChart3, PanelLeft, WifiOff } from "lucide-react";
import type { ContextStats, ModelStatus, PinnedFact } from "@alma/protocol";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Tooltip } from "@/components/ui/tooltip";
import { describeContextWindow } from "@/lib/describe-context-window";
import type { ExportFormat } from "@/lib/export-conversation";
import { ContextMeter } from "./context-meter";
import { ExportMenu } from "./export-menu";
import { PinnedFacts } from "./pinned-facts";
import { ThemeToggle } from "./theme-toggle";

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
  failed: boolean,
): { text: string; hint: string; state: string; variant: "outline" | "warning" | "muted" } | null {
  if (!connected) {
    // the client has stopped trying (a refused origin or token): it is not connecting any more
    return everConnected || failed
      ? {
          text: "disconnected",
          hint: failed
            ? "Not connected to the server (see the message above): the model's status is unknown."
            : "Not connected to the server: the model's status is unknown until alma reconnects.",
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

interface Props {
  title: string | null;
  conversationId: string | null;
  pinnedFacts: PinnedFact[];
  context: ContextStats | null;
  summarizedCount: number;
  model: ModelStatus | null;
  connected: boolean;
  everConnected: boolean;
  /** the connection failed for good: the client is not trying any more */
  connectionFailed?: boolean;
  metricsOpen: boolean;
  setMetricsOpen: React.Dispatch<React.SetStateAction<boolean>>;
  setSidebarOpen(open: boolean): void;
  onUnpin(fact: { id: string }): void;
  onExport(format: ExportFormat): void;
}

/** The conversation's header: its title, pinned facts, export, the context meter, the model's state, metrics and theme. */
export function ChatHeader({
  title,
  conversationId,
  pinnedFacts,
  context,
  summarizedCount,
  model,
  connected,
  everConnected,
  connectionFailed = false,
  metricsOpen,
  setMetricsOpen,
  setSidebarOpen,
  onUnpin,
  onExport,
}: Props) {
  const badge = modelBadge(model, connected, everConnected, connectionFailed);
  return (
    <header className="flex h-12 shrink-0 items-center gap-2 border-b px-2 sm:px-3">
      <Button size="icon" variant="ghost" className="md:hidden" aria-label="Open conversations" data-testid="open-sidebar" onClick={() => setSidebarOpen(true)}>
        <PanelLeft />
      </Button>
      <h1 className="min-w-0 flex-1 truncate text-sm font-semibold" data-testid="conversation-title">
        {title || "alma"}
      </h1>
      {conversationId && <PinnedFacts facts={pinnedFacts} onRemove={onUnpin} />}
      {conversationId && <ExportMenu onExport={onExport} />}
      <ContextMeter context={context} summarizedCount={summarizedCount} modelWindow={model?.window ?? null} />
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
  );
}
