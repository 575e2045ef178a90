import { backoffDelay, type BackoffOptions } from "@alma/protocol";
import { AlmaClientError } from "./alma-client-error.js";
import type { ConnectionState, WelcomeFrame } from "./connection-state.js";
import { asClientError } from "./describe-error.js";

/** A refused handshake that trying again cannot fix. */
export const FATAL_HANDSHAKE_CODES: ReadonlySet<string> = new Set(["unsupported_version", "unauthorized", "forbidden_origin"]);

export interface ReconnectHooks {
  url: string;
  /** close() was called meanwhile */
  closed(): boolean;
  setState(state: ConnectionState): void;
  /** one attempt: a new socket and its handshake */
  attempt(): Promise<WelcomeFrame>;
  /** waits `ms`, or less when close() cuts it short */
  sleep(ms: number): Promise<void>;
  random(): number;
  now(): number;
}

/** `finish`: the client gives up for good with this error (false when close() ended the loop, already closed). */
export type ReconnectOutcome = { ok: true; welcome: WelcomeFrame } | { ok: false; error: AlmaClientError; finish: boolean };

/** Tries again with backoff, showing each wait as `reconnecting`, until open, closed, a fatal refusal or `maxAttempts`. */
export async function reconnectLoop(backoff: BackoffOptions, firstError: string, hooks: ReconnectHooks): Promise<ReconnectOutcome> {
  const closed: ReconnectOutcome = {
    ok: false,
    error: new AlmaClientError({ code: "connection_closed", message: "The client was closed before the connection was back." }),
    finish: false,
  };
  let lastError = firstError;
  for (let attempt = 1; ; attempt++) {
    if (hooks.closed()) return closed;
    if (attempt > backoff.maxAttempts) {
      const message = `Gave up connecting to ${hooks.url} after ${backoff.maxAttempts} attempts: ${lastError}`;
      return { ok: false, error: new AlmaClientError({ code: "connection_lost", message, retryable: true }), finish: true };
    }
    const delayMs = backoffDelay(attempt, backoff, hooks.random);
    hooks.setState({ status: "reconnecting", attempt, delayMs, nextAttemptAt: hooks.now() + delayMs, lastError });
    await hooks.sleep(delayMs);
    if (hooks.closed()) return closed;
    hooks.setState({ status: "connecting", attempt });
    try {
      const welcome = await hooks.attempt();
      return hooks.closed() ? closed : { ok: true, welcome };
    } catch (error) {
      if (hooks.closed()) return closed;
      const failure = asClientError(error);
      if (FATAL_HANDSHAKE_CODES.has(failure.code)) return { ok: false, error: failure, finish: true };
      lastError = failure.message;
    }
  }
}
