import type { UiMessage } from "./ui-message";
import { EMPTY_CLOCK, type LiveClock } from "./waterfall-clock";
import { waterfallFromLive } from "./waterfall-from-live";
import { waterfallFromMetrics } from "./waterfall-from-metrics";
import type { Waterfall } from "./waterfall-model";

export { timeTicks } from "./time-ticks";
export { clockOffset, waterfallFromLive } from "./waterfall-from-live";
export { waterfallFromMetrics } from "./waterfall-from-metrics";
export { ROLE_LABEL, type Waterfall, type WaterfallCut, type WaterfallRole, type WaterfallRow, type WaterfallTool } from "./waterfall-model";

/** The waterfall of an answer: from its metrics once the run ended, else live; null for a message with neither. */
export function messageWaterfall(m: UiMessage, now: number, clock: LiveClock): Waterfall | null {
  if (m.role !== "assistant") return null;
  if (m.metrics) return waterfallFromMetrics(m.metrics, m.steps, m.finishReason);
  return waterfallFromLive(m, now, clock.runId === m.runId ? clock : EMPTY_CLOCK);
}
