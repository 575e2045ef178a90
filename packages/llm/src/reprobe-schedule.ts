import { backoffDelay } from "@alma/protocol";

/**
 * When an OpenAI-compatible model found unavailable is asked again in the background: a server that could not be
 * reached or timed out (not started yet, still loading) soon and then less often; a refused key (a proxy's key can be
 * fixed without restarting alma) once a minute. The delays are @alma/protocol's `backoffDelay`, the one backoff the
 * client's reconnects and the agent's retries use too.
 */
export interface ReprobeSchedule {
  /** the first re-probe after the server could not be reached */
  initialDelayMs: number;
  /** the longest wait between re-probes of an unreachable server */
  maxDelayMs: number;
  factor: number;
  /** 0..1: the share of each delay that is randomised, so instances that lost the same server do not ask in lockstep */
  jitter: number;
  /** between re-probes after the key was refused */
  authDelayMs: number;
  /** how long a message that finds the model unavailable waits for the immediate re-probe before it is refused */
  sendWaitMs: number;
}

export const DEFAULT_REPROBE_SCHEDULE: ReprobeSchedule = {
  initialDelayMs: 2_000,
  maxDelayMs: 30_000,
  factor: 2,
  jitter: 0.25,
  authDelayMs: 60_000,
  sendWaitMs: 3_000,
};

/** why the model is being asked again */
export type ReprobeReason = "unreachable" | "auth";

/** The wait before re-probe number `attempt` (1-based) for `reason`. */
export function reprobeDelay(schedule: ReprobeSchedule, reason: ReprobeReason, attempt: number, random: () => number = Math.random): number {
  const { initialDelayMs, maxDelayMs, factor, jitter, authDelayMs } = schedule;
  if (reason === "auth") return backoffDelay(1, { initialDelayMs: authDelayMs, maxDelayMs: authDelayMs, factor: 1, jitter }, random);
  return backoffDelay(attempt, { initialDelayMs, maxDelayMs, factor, jitter }, random);
}
