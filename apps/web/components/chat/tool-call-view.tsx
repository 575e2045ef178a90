"use client";
import * as React from "react";
import { CheckCircle2, Loader2, OctagonX, Wrench } from "lucide-react";
import type { ToolCallRecord } from "@/lib/chat-state";
import { formatMs } from "@/lib/format";
import { fenced, summarizeToolArguments } from "@/lib/tool-call-summary";
import { cn } from "@/lib/utils";
import { Markdown } from "./markdown";

function CallIcon({ status }: { status: ToolCallRecord["status"] }) {
  if (status === "running") return <Loader2 className="size-3.5 animate-spin text-primary" aria-hidden />;
  if (status === "ok") return <CheckCircle2 className="size-3.5 text-success" aria-hidden />;
  return <OctagonX className="size-3.5 text-destructive" aria-hidden />;
}

/** a result whose text already says it is one ("Result: 1798.65") */
const NAMES_ITSELF = /^\s*result\b/i;

const STATUS_TEXT: Record<ToolCallRecord["status"], string> = { running: "running", ok: "done", error: "failed" };

function Arguments({ args }: { args: string }) {
  const summary = React.useMemo(() => summarizeToolArguments(args), [args]);
  if (summary.kind === "code") {
    return (
      <div className="text-xs" data-testid="tool-call-code">
        <Markdown text={fenced(summary.code, summary.language)} />
      </div>
    );
  }
  if (summary.kind === "query") {
    return (
      <p className="text-xs text-muted-foreground" data-testid="tool-call-query">
        Searched for <q className="text-foreground">{summary.query}</q>
      </p>
    );
  }
  return (
    <p className="truncate font-mono text-xs text-muted-foreground" data-testid="tool-call-arguments">
      {summary.text}
    </p>
  );
}

/** One tool call as the step's worker made it: the tool, its arguments in short, then (live) its result or error and duration. */
export const ToolCallView = React.memo(function ToolCallView({ call }: { call: ToolCallRecord }) {
  return (
    <li
      data-testid="tool-call"
      data-tool={call.tool}
      data-status={call.status}
      className={cn("space-y-1.5 rounded-md border bg-muted/30 px-2.5 py-2", call.status === "error" && "border-destructive/40 bg-destructive/5")}
    >
      <div className="flex items-center gap-2 text-xs">
        <CallIcon status={call.status} />
        <Wrench className="size-3 text-muted-foreground" aria-hidden />
        <span className="font-mono font-medium" data-testid="tool-call-name">
          {call.tool}
        </span>
        <span className="sr-only">{STATUS_TEXT[call.status]}</span>
        <span className="flex-1" />
        {call.status === "running" ? (
          <span className="text-muted-foreground">running…</span>
        ) : (
          call.durationMs !== null && (
            <span className="tabular-nums text-muted-foreground" data-testid="tool-call-duration">
              {formatMs(call.durationMs)}
            </span>
          )
        )}
      </div>
      <Arguments args={call.arguments} />
      {call.status === "ok" && call.result !== null && (
        <pre
          className="max-h-40 overflow-auto whitespace-pre-wrap break-words rounded bg-background/60 px-2 py-1 font-mono text-xs"
          data-testid="tool-call-result"
        >
          {/* a screen reader hears "Result" once: the calculator's own text already starts with it */}
          {!NAMES_ITSELF.test(call.result) && <span className="sr-only">Result: </span>}
          {call.result}
        </pre>
      )}
      {call.status === "error" && (
        <p className="whitespace-pre-wrap break-words text-xs text-destructive" data-testid="tool-call-error">
          {call.error ? call.error.message : "The tool failed without saying why."}
        </p>
      )}
    </li>
  );
});

/** A step's tool calls, in the order its worker made them. */
export function ToolCalls({ tools }: { tools: readonly ToolCallRecord[] }) {
  if (tools.length === 0) return null;
  return (
    <ul className="mb-2 space-y-1.5" aria-label="Tool calls" data-testid="tool-calls">
      {tools.map((t) => (
        <ToolCallView key={t.id} call={t} />
      ))}
    </ul>
  );
}
