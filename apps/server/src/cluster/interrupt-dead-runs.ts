import type { DeadRun, RedisRunStream } from "@alma/live-runs";
import { applyRunEvent, type RunEvent } from "@alma/protocol";
import type { ConversationStore } from "@alma/store";
import type { ConversationRunLocks } from "./conversation-run-locks.js";

export interface InterruptDeadRunsDeps {
  store: Pick<ConversationStore, "updateAssistantMessage">;
  stream: Pick<RedisRunStream, "appendTerminal">;
  now: () => number;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  /** the dead run's conversation lock is let go at once, so Continue need not wait for it to expire */
  locks?: Pick<ConversationRunLocks, "release">;
}

const MESSAGE = "The server that was writing this answer stopped before it finished. The partial answer was kept; continue it to finish it.";

/**
 * A dead instance's unfinished runs, handed to this survivor: each gets its terminal `run.error` (retryable, the
 * partial answer kept) on its stream, so its viewers on every instance are told and their follows end, and its answer
 * is stored interrupted with the text its last event gave, so Continue works from any instance. An owner that was
 * only paused past its heartbeat learns it was reaped and stops its runs as interrupted too, so the two agree.
 */
export async function interruptDeadRuns(deps: InterruptDeadRunsDeps, instanceId: string, runs: readonly DeadRun[]): Promise<number> {
  let interrupted = 0;
  for (const { runId, state } of runs) {
    if (!state?.conversationId || !state.assistantMessageId) {
      // it died before its first event: nothing was written that names its answer
      deps.log.warn({ runId, instanceId }, "a dead instance's run left no event; its answer cannot be found to mark it interrupted");
      continue;
    }
    const terminal: RunEvent = {
      type: "run.error",
      runId,
      index: state.lastIndex + 1,
      at: deps.now(),
      conversationId: state.conversationId,
      assistantMessageId: state.assistantMessageId,
      // the code a shutdown gives: the fold makes the answer interrupted (continuable), not failed
      code: "shutting_down",
      message: MESSAGE,
      retryable: true,
      partial: state.text.length > 0,
      metrics: state.metrics,
    };
    const final = applyRunEvent(state, terminal);
    // stored before the end goes out, as the executor does: a viewer told of the end reloads and finds this answer
    await deps.store.updateAssistantMessage(state.assistantMessageId, {
      content: final.text,
      status: final.status,
      finishReason: final.finishReason,
      steps: final.steps.length ? final.steps : null,
      error: { code: terminal.code, message: terminal.message },
    });
    if (await deps.stream.appendTerminal(terminal, final)) {
      interrupted++;
      await deps.locks?.release(state.conversationId, runId);
    } else deps.log.warn({ runId, instanceId }, "the instance taken for dead wrote its run's end first; it was reaped and stops its runs");
  }
  if (interrupted > 0) deps.log.info({ instanceId, interrupted }, "marked the answers of an instance that died interrupted");
  return interrupted;
}
