/**
 * A number as a person reads it: integers as they are, others to 2 decimals from 1 up and to 4
 * significant digits below 1 (1798.6515754582708 → "1798.65", 0.30000000000000004 → "0.3").
 * For display only: the value itself is never rounded.
 */
export function roundForDisplay(value: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  if (Math.abs(value) < 1) return String(Number(value.toPrecision(4)));
  // round the decimal form, not the binary one: 1.005 → 1.01 (toFixed gives "1.00")
  const cents = Math.round(Number(`${Math.abs(value)}e2`));
  return String(Math.sign(value) * Number(`${cents}e-2`));
}
