"use client";
import { Tooltip } from "@/components/ui/tooltip";
import { formatAxisMs, formatCount, formatDuration, formatTokenRate } from "@/lib/metrics-format";
import { timeTicks, type Waterfall, type WaterfallCut, type WaterfallRow, type WaterfallTool } from "@/lib/waterfall-rows";
import { cn } from "@/lib/utils";

const CUT_TEXT: Record<WaterfallCut, string> = {
  length: "cut at its token cap",
  stopped: "stopped",
  deadline: "cut by the run's deadline",
  truncated: "cut short (its step's budget or time)",
  failed: "failed",
  filtered: "cut by the content filter",
};

const BAR: Record<WaterfallRow["role"], string> = {
  classify: "bg-muted-foreground",
  plan: "bg-muted-foreground",
  step: "bg-primary",
  synthesis: "bg-success",
  answer: "bg-success",
};

/** a row's badge (retry, round, cut): never squeezed, on its own line height */
const BADGE = "shrink-0 whitespace-nowrap rounded px-1 text-[10px] leading-4";

function pct(ms: number, domain: number): string {
  return `${Math.min(100, Math.max(0, (ms / domain) * 100))}%`;
}

function describe(r: WaterfallRow): string {
  const parts = [`${r.label}${r.role === "step" ? ` (${r.agent})` : ""}: from ${formatDuration(r.startMs)} to ${r.running ? "now" : formatDuration(r.endMs)}`];
  parts.push(
    r.firstTokenMs === null ? "no token yet" : `first token at ${formatDuration(r.firstTokenMs)} (after ${formatDuration(r.firstTokenMs - r.startMs)})`,
  );
  if (r.completionTokens !== null) parts.push(`${formatCount(r.completionTokens)}${r.maxTokens ? ` of ${formatCount(r.maxTokens)}` : ""} tokens out`);
  if (r.promptTokens !== null) parts.push(`${formatCount(r.promptTokens)} tokens in`);
  if (r.tokensPerSecond !== null) parts.push(`decoded at ${formatTokenRate(r.tokensPerSecond)}`);
  if (r.cut) parts.push(CUT_TEXT[r.cut]);
  if (r.retry > 0) parts.push(`retry ${r.retry}`);
  if (r.round > 0) parts.push(`round ${r.round + 1}, after its tool calls`);
  for (const t of r.tools)
    parts.push(
      `then ${t.tool} ${t.running ? "running" : t.status === "error" ? `failed after ${formatDuration(t.durationMs ?? 0)}` : `took ${formatDuration(t.durationMs ?? 0)}`}`,
    );
  return `${parts.join("; ")}.`;
}

/** A tool call under its step's request: its name and duration, and a thin bar at its time on the same scale. */
function ToolMark({ t, domain }: { t: WaterfallTool; domain: number }) {
  return (
    <span
      className="mt-0.5 block"
      data-testid="waterfall-tool"
      data-tool={t.tool}
      data-status={t.status}
      data-start-ms={Math.round(t.startMs)}
      data-end-ms={Math.round(t.endMs)}
      data-running={t.running || undefined}
    >
      <span className="flex justify-between gap-2 text-[10px] text-muted-foreground">
        <span className="min-w-0 truncate">
          ↳ <span className={cn("font-mono", t.status === "error" && "text-destructive")}>{t.tool}</span>
          {t.status === "error" && " · failed"}
        </span>
        <span className="shrink-0 tabular-nums" data-testid="waterfall-tool-duration">
          {t.running ? "running…" : t.durationMs === null ? "" : formatDuration(t.durationMs)}
        </span>
      </span>
      <span className="relative block h-1.5 rounded-sm bg-muted/60">
        <span
          className={cn("absolute inset-y-0 rounded-sm", t.status === "error" ? "bg-destructive" : "bg-warning", t.running && "animate-pulse")}
          style={{ left: pct(t.startMs, domain), width: `max(2px, ${pct(Math.max(0, t.endMs - t.startMs), domain)})` }}
        />
      </span>
    </span>
  );
}

function Row({ r, domain }: { r: WaterfallRow; domain: number }) {
  const hint = describe(r);
  const tokens = r.completionTokens === null ? (r.running ? "…" : "") : `${formatCount(r.completionTokens)} tok`;
  return (
    <Tooltip content={hint}>
      <button
        type="button"
        className="block w-full rounded px-1 py-0.5 text-left text-xs hover:bg-muted/60 focus-visible:bg-muted/60"
        data-testid="waterfall-row"
        data-role={r.role}
        data-agent={r.agent}
        data-step-id={r.stepId ?? undefined}
        data-start-ms={Math.round(r.startMs)}
        data-end-ms={Math.round(r.endMs)}
        data-first-token-ms={r.firstTokenMs === null ? "" : Math.round(r.firstTokenMs)}
        data-tokens={r.completionTokens ?? ""}
        data-rate={r.tokensPerSecond === null ? "" : r.tokensPerSecond.toFixed(1)}
        data-cut={r.cut ?? ""}
        data-retry={r.retry}
        data-running={r.running || undefined}
        aria-label={hint}
      >
        {/* the badges sit apart from the label (which truncates first) and on the text line, clear of the bar, at any width */}
        <span className="flex items-center justify-between gap-2">
          <span className="flex min-w-0 items-center gap-1.5" data-testid="waterfall-row-label">
            <span className="min-w-0 truncate" data-testid="waterfall-row-name">
              <span className="font-medium">{r.label}</span>
              <span className="text-muted-foreground"> · {r.agent}</span>
            </span>
            {r.retry > 0 && (
              <span className={cn(BADGE, "bg-warning/25")} data-testid="waterfall-retry">
                retry {r.retry}
              </span>
            )}
            {r.round > 0 && (
              <span className={cn(BADGE, "bg-muted")} data-testid="waterfall-round">
                round {r.round + 1}
              </span>
            )}
            {r.cut && (
              <span className={cn(BADGE, "bg-destructive/15 text-destructive")} data-testid="waterfall-cut">
                {r.cut}
              </span>
            )}
          </span>
          <span className="shrink-0 tabular-nums text-muted-foreground">
            <span data-testid="waterfall-row-tokens">{tokens}</span>
            {r.tokensPerSecond !== null && (
              <>
                {" · "}
                <span data-testid="waterfall-row-rate">{formatTokenRate(r.tokensPerSecond)}</span>
              </>
            )}
          </span>
        </span>
        <span className="relative mt-1 block h-2.5 rounded-sm bg-muted" data-testid="waterfall-bar">
          {/* waiting for the first token, then generating */}
          <span
            className={cn("absolute inset-y-0 rounded-sm opacity-30", BAR[r.role])}
            style={{ left: pct(r.startMs, domain), width: pct(Math.max(0, (r.firstTokenMs ?? r.endMs) - r.startMs), domain) }}
          />
          {r.firstTokenMs !== null && (
            <span
              className={cn("absolute inset-y-0 rounded-sm", BAR[r.role], r.running && "animate-pulse")}
              style={{ left: pct(r.firstTokenMs, domain), width: `max(2px, ${pct(Math.max(0, r.endMs - r.firstTokenMs), domain)})` }}
            />
          )}
          {r.firstTokenMs !== null && (
            <span
              className="absolute -inset-y-0.5 w-0.5 bg-foreground"
              style={{ left: pct(r.firstTokenMs, domain) }}
              data-testid="waterfall-first-token"
              aria-hidden
            />
          )}
          {r.cut && (
            <span className="absolute -inset-y-0.5 w-1 rounded-sm bg-destructive" style={{ left: `calc(${pct(r.endMs, domain)} - 2px)` }} aria-hidden />
          )}
        </span>
        {r.tools.map((t) => (
          <ToolMark key={t.key} t={t} domain={domain} />
        ))}
      </button>
    </Tooltip>
  );
}

/** A run's model requests on one time scale from the message's receipt: overlapping bars ran side by side. */
export function RunWaterfall({ waterfall }: { waterfall: Waterfall }) {
  const ticks = timeTicks(waterfall.spanMs);
  const domain = Math.max(1, ticks.at(-1) ?? waterfall.spanMs);
  const live = waterfall.source === "live";
  return (
    <figure
      className="space-y-1"
      data-testid="waterfall"
      data-source={waterfall.source}
      data-live={live || undefined}
      data-span-ms={Math.round(waterfall.spanMs)}
      data-retries={waterfall.retries ?? ""}
      aria-label="Timeline of the run's model requests"
    >
      <figcaption className="flex items-baseline justify-between gap-2 text-xs">
        <span className="font-medium">Timeline</span>
        <span className="text-muted-foreground" data-testid="waterfall-summary">
          {formatDuration(waterfall.spanMs)} · {waterfall.rows.length} {waterfall.rows.length === 1 ? "request" : "requests"}
          {waterfall.waiting > 0 && `, ${waterfall.waiting} waiting`}
          {!!waterfall.retries && (
            <span className="ml-1 rounded bg-warning/25 px-1" data-testid="waterfall-retries">
              {waterfall.retries} {waterfall.retries === 1 ? "retry" : "retries"}
            </span>
          )}
        </span>
      </figcaption>
      {waterfall.rows.length === 0 ? (
        <p className="text-xs text-muted-foreground" data-testid="waterfall-empty">
          {waterfall.cacheHit
            ? "Answered from the response cache: no model request was made."
            : live
              ? "Waiting for the run's first request…"
              : "This run made no model request."}
        </p>
      ) : (
        <div>
          {waterfall.rows.map((r) => (
            <Row key={r.key} r={r} domain={domain} />
          ))}
          <div className="relative mx-1 mt-1 h-4 border-t text-[10px] text-muted-foreground" data-testid="waterfall-axis" data-domain-ms={domain}>
            {ticks.map((t, i) => (
              <span
                key={t}
                className={cn(
                  "absolute top-0.5 whitespace-nowrap tabular-nums",
                  i === 0 ? "" : i === ticks.length - 1 ? "-translate-x-full" : "-translate-x-1/2",
                )}
                style={{ left: pct(t, domain) }}
                data-testid="waterfall-tick"
                data-ms={t}
              >
                {formatAxisMs(t, domain)}
              </span>
            ))}
          </div>
          <p className="mt-0.5 text-[10px] text-muted-foreground">
            Seconds from the server receiving the message{live ? " (live: hidden work shown as its phase)" : ""}. Faint: waiting for the first token (the black
            mark); solid: generating; amber, under a step: its tool calls. Bars that overlap ran side by side.
          </p>
        </div>
      )}
    </figure>
  );
}
