/**
 * Token timestamps cross process boundaries: process.hrtime reads CLOCK_MONOTONIC, which on Linux is one clock
 * for the whole machine, so an emit time written by the upstream process compares with a receive time read in
 * the client process. Each scripted token's text carries its emit time as "@<ns>;".
 */
export const nowNs = (): bigint => process.hrtime.bigint();
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

const stampPattern = /@(\d+);/g;

/** Emit times (ms on the shared monotonic clock) of every token stamp found in a received chunk of text. */
export function readStamps(text: string, into: number[]): void {
  stampPattern.lastIndex = 0;
  for (let m = stampPattern.exec(text); m; m = stampPattern.exec(text)) into.push(Number(m[1]) / 1e6);
}

const arrivalPattern = /\^(\d+);/;

/** The upstream's request-arrival time (ms) that the first token of a TTFT run carries as "^<ns>;". */
export function readArrival(text: string): number | null {
  const m = arrivalPattern.exec(text);
  return m ? Number(m[1]) / 1e6 : null;
}
