/**
 * Numbers for people in the metrics panel: "1.2 s", "38 tok/s", "1,234", "−30 s". Every formatter takes null and
 * non-finite values and shows them as "–", so a figure that was not measured never reads as 0.
 */

const DASH = "–";
const MINUS = "−";

function known(v: number | null | undefined): v is number {
  return v !== null && v !== undefined && Number.isFinite(v);
}

/** A duration: "340 ms", "1.2 s", "12 s", "2 min 5 s". */
export function formatDuration(ms: number | null | undefined): string {
  if (!known(ms)) return DASH;
  const a = Math.abs(ms);
  const sign = ms < 0 ? MINUS : "";
  if (a < 1000) return `${sign}${Math.round(a)} ms`;
  if (a < 10_000) return `${sign}${trim(a / 1000, 1)} s`;
  if (a < 60_000) return `${sign}${Math.round(a / 1000)} s`;
  const min = Math.floor(a / 60_000);
  const s = Math.round((a - min * 60_000) / 1000);
  return s === 60 ? `${sign}${min + 1} min` : `${sign}${min} min${s ? ` ${s} s` : ""}`;
}

/** A time-axis tick in milliseconds: "0", "250 ms", "1.5 s"; one unit for the whole axis so ticks never repeat. */
export function formatAxisMs(ms: number, spanMs: number): string {
  if (ms === 0) return "0";
  if (spanMs < 1000) return `${Math.round(ms)} ms`;
  return `${formatAxisNumber(ms / 1000)} s`;
}

/** A whole count with thousands separators: "1,234". */
export function formatCount(n: number | null | undefined): string {
  if (!known(n)) return DASH;
  return Math.round(n).toLocaleString("en-US");
}

/** Tokens: "1,234 tokens" (or "1 token"). */
export function formatTokens(n: number | null | undefined): string {
  if (!known(n)) return DASH;
  return `${formatCount(n)} ${Math.round(n) === 1 ? "token" : "tokens"}`;
}

/** A decode rate: "38 tok/s", "4.5 tok/s". */
export function formatTokenRate(v: number | null | undefined): string {
  if (!known(v)) return DASH;
  return `${trim(v, v < 10 ? 1 : 0)} tok/s`;
}

/** A share 0..1 as a percentage: "42%", "0.5%". */
export function formatShare(v: number | null | undefined): string {
  if (!known(v)) return DASH;
  const pct = v * 100;
  return `${trim(pct, pct > 0 && pct < 10 ? 1 : 0)}%`;
}

/** A value already in percent (CPU): "12%". */
export function formatPercentValue(v: number | null | undefined): string {
  if (!known(v)) return DASH;
  return `${trim(v, v > 0 && v < 10 ? 1 : 0)}%`;
}

/** Bytes as megabytes: "84 MB", "1.2 GB". */
export function formatMegabytes(mb: number | null | undefined): string {
  if (!known(mb)) return DASH;
  if (mb >= 1024) return `${trim(mb / 1024, 1)} GB`;
  return `${trim(mb, mb < 10 ? 1 : 0)} MB`;
}

/** A clock time on this machine: "14:03:05". */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** Seconds before now on a time axis: "now", "−30 s", "−2 min". */
export function formatSecondsAgo(seconds: number): string {
  const s = Math.round(Math.abs(seconds));
  if (s === 0) return "now";
  if (s < 120 || s % 60 !== 0) return `${MINUS}${s} s`;
  return `${MINUS}${s / 60} min`;
}

/** at most `decimals` decimals, no trailing zeros, thousands separated: 1.0 → "1", 1.25 → "1.3", 1234 → "1,234" */
function trim(v: number, decimals: number): string {
  return v.toLocaleString("en-US", { maximumFractionDigits: decimals, minimumFractionDigits: 0 });
}

/** A chart's tick value with up to three significant digits, so round ticks (0.05, 0.25, 1.25, 250) never print alike. */
export function formatAxisNumber(v: number): string {
  if (!Number.isFinite(v)) return DASH;
  if (v === 0) return "0";
  const decimals = Math.min(6, Math.max(0, 2 - Math.floor(Math.log10(Math.abs(v)))));
  return trim(v, decimals);
}

/**
 * Evenly spaced ticks for a value axis from 0: a step of 1, 2, 2.5 or 5 × 10ⁿ (whole steps for counts) giving at
 * most `target` + 1 ticks, the last at or above `max` (at least 1).
 */
export function valueTicks(max: number, integer: boolean, target = 4): number[] {
  const top = max > 0 && Number.isFinite(max) ? max : 1;
  const raw = top / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const factors = integer && pow < 10 ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10];
  let step = factors.map((f) => f * pow).find((v) => v >= raw) ?? 10 * pow;
  if (integer) step = Math.max(1, Math.round(step));
  const n = Math.max(1, Math.ceil(top / step - 1e-9));
  return Array.from({ length: n + 1 }, (_, i) => Math.round(i * step * 1e6) / 1e6);
}
