import { timingSafeEqual } from "node:crypto";

/** Compares a secret without leaking, through timing, how much of it a guess got right. */
export function secretMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
