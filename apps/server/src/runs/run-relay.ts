import type { RunEvent, RunState } from "@alma/protocol";

/**
 * Where a run's events go besides its local viewers: with Redis, the run's stream, so viewers on other instances
 * follow it. Absent in-process (one server): nothing more is done per event.
 */
export interface RunRelay {
  /** the run starts on this instance: before its message is acknowledged, so any instance finds it from then on */
  claim(runId: string, conversationId: string): Promise<void>;
  /** whether a viewer on another instance still reads the run (its owner then does not stop it as abandoned) */
  hasRemoteViewers(runId: string): Promise<boolean>;
  /** every event the run emits, with its fold after it (synchronous: writes are batched) */
  append(event: RunEvent, state: RunState): void;
}
