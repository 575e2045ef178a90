import type { ProgressPhase } from "@alma/protocol";
import type { UiMessage } from "./ui-message";

/** Something this page saw a streaming run do: enter a phase, finish its plan, show its first text. */
export type ClockMark = ProgressPhase | "planned" | "text";

/**
 * What this page saw of one streaming run, for the live waterfall: the run's events carry the server's clock (steps)
 * or this page's (live timings), and hidden phases carry no time at all, so the page notes when it saw them happen.
 */
export interface LiveClock {
  runId: string | null;
  /**
   * this page's clock minus the server's, at most: the smallest (seen at − server time of the newest step event) so
   * far; null before any step event. Used only until a step's first token gives the exact offset.
   */
  offsetMs: number | null;
  /** this page's clock, only for changes it saw happen (a reload mid-run has none for what came before) */
  marks: Partial<Record<ClockMark, number>>;
  last: { phase: ProgressPhase | null; planning: boolean; hasText: boolean } | null;
}

export const EMPTY_CLOCK: LiveClock = { runId: null, offsetMs: null, marks: {}, last: null };

/** Folds one more look at a run's message into what this page saw of it; the same object when nothing changed. */
export function observeRun(prev: LiveClock, m: UiMessage, at: number): LiveClock {
  const fresh = prev.runId !== m.runId;
  const before = fresh ? { ...EMPTY_CLOCK, runId: m.runId } : prev;
  if (m.status !== "streaming") return before;
  const phase = m.progress?.phase ?? null;
  const planning = phase === "planning" || m.planning;
  const hasText = m.content.length > 0;
  const marks = { ...before.marks };
  let changed = fresh;
  const note = (k: ClockMark) => {
    if (marks[k] === undefined) {
      marks[k] = at;
      changed = true;
    }
  };
  const last = before.last;
  if (last) {
    if (phase !== null && phase !== last.phase) note(phase);
    if (last.planning && !planning) note("planned");
    if (!last.hasText && hasText) note("text");
  }
  if (!last || last.phase !== phase || last.planning !== planning || last.hasText !== hasText) changed = true;

  const stamps = (m.steps ?? []).flatMap((s) => [s.startedAt, s.firstTokenAt]).filter((t): t is number => typeof t === "number");
  let offsetMs = before.offsetMs;
  if (stamps.length > 0) {
    const bound = at - Math.max(...stamps);
    if (offsetMs === null || bound < offsetMs) {
      offsetMs = bound;
      changed = true;
    }
  }
  if (!changed) return before;
  return { runId: m.runId, offsetMs, marks, last: { phase, planning, hasText } };
}
