import type { StepView } from "./ui-message";
import type { WaterfallRow, WaterfallTool } from "./waterfall-model";

/**
 * The steps' tool calls on the waterfall's time axis: `toMs` turns a server-clock stamp into ms on the axis; a call
 * still going ends at `now` (the axis' end). Calls without a start time (none yet stored that way) are left out.
 */
export function toolMarks(steps: readonly StepView[] | null, toMs: (serverAt: number) => number, now: number, streaming = false): WaterfallTool[] {
  const marks: WaterfallTool[] = [];
  for (const s of steps ?? []) {
    for (const t of s.tools ?? []) {
      if (t.startedAt === null) continue;
      const startMs = Math.max(0, toMs(t.startedAt));
      const running = streaming && t.status === "running";
      const endMs = t.durationMs !== null ? startMs + t.durationMs : running ? Math.max(startMs, now) : startMs;
      marks.push({ key: `tool:${s.id}:${t.id}`, tool: t.tool, stepId: s.id, status: t.status, startMs, endMs, durationMs: t.durationMs, running });
    }
  }
  return marks;
}

/**
 * Puts each tool call on its step's row: the last of the step's requests that started before it (the request whose
 * answer asked for it), else the step's first row. Calls of a step with no row yet are not shown.
 */
export function placeTools(rows: WaterfallRow[], tools: readonly WaterfallTool[]): WaterfallRow[] {
  if (tools.length === 0) return rows;
  const placed = new Map<number, WaterfallTool[]>();
  for (const t of tools) {
    let at = -1;
    rows.forEach((r, i) => {
      if (r.role !== "step" || r.stepId !== t.stepId) return;
      if (at < 0 || r.startMs <= t.startMs) at = i;
    });
    if (at < 0) continue;
    placed.set(at, [...(placed.get(at) ?? []), t]);
  }
  return rows.map((r, i) => {
    const mine = placed.get(i);
    return mine ? { ...r, tools: mine.sort((a, b) => a.startMs - b.startMs) } : r;
  });
}
