import * as React from "react";

/**
 * What the composer needs to know about sending beyond its props: whether a message typed while the socket
 * is still (re)connecting can be sent now (the client queues it and sends it on connect), and whether one is
 * waiting for that. One chat per page, so one value per page; the composer reads it with useSendAvailability().
 */
export interface SendAvailability {
  /** not open yet, but the client is trying: a message sent now is queued and goes out once connected */
  queues: boolean;
  /** messages sent while not connected that have not gone out yet (shown as "Sending when connected…") */
  waiting: number;
  /** the connection failed for good (no more retries): why, in words */
  failure: string | null;
}

export const NOTHING_KNOWN: SendAvailability = { queues: false, waiting: 0, failure: null };
let availability = NOTHING_KNOWN;
const availabilityListeners = new Set<() => void>();

export function publishAvailability(next: SendAvailability): void {
  if (next.queues === availability.queues && next.waiting === availability.waiting && next.failure === availability.failure) return;
  availability = next;
  for (const listener of [...availabilityListeners]) listener();
}

function subscribeAvailability(listener: () => void): () => void {
  availabilityListeners.add(listener);
  return () => {
    availabilityListeners.delete(listener);
  };
}

/** The page's SendAvailability; on the server and before the chat's client exists, nothing is known (sending waits for the props). */
export function useSendAvailability(): SendAvailability {
  return React.useSyncExternalStore(
    subscribeAvailability,
    () => availability,
    () => NOTHING_KNOWN,
  );
}
