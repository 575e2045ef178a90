/** Round tick marks for a time axis of `spanMs`: about `target` ticks at 1, 2, 2.5 or 5 × 10ⁿ ms; the last one at or past the span. */
export function timeTicks(spanMs: number, target = 5): number[] {
  const span = Math.max(100, spanMs);
  const raw = span / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * pow).find((s) => s >= raw) ?? 10 * pow;
  const ticks: number[] = [];
  for (let t = 0; t < span + step; t += step) {
    ticks.push(Math.round(t * 1000) / 1000);
    if (t >= span) break;
  }
  return ticks;
}
