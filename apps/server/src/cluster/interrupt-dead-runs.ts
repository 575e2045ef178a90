import type { DeadRun, RedisRunStream } from "@alma/live-runs";
import { applyRunEvent, createRunState, type RunEvent, type RunState } from "@alma/protocol";
import type { ConversationStore } from "@alma/store";
import type { ConversationRunLocks } from "./conversation-run-locks.js";
import { answerOfRun } from "../chat/streaming-answer.js";

export interface InterruptDeadRunsDeps {
  store: Pick<ConversationStore, "updateAssistantMessage" | "listMessages">;
  stream: Pick<RedisRunStream, "appendTerminal" | "lastIndex">;
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
  for (const run of runs) {
    const { runId } = run;
    const state = run.state?.assistantMessageId ? run.state : await stateFromStore(deps, run);
    if (!state?.conversationId || !state.assistantMessageId) {
      // it died between its claim and storing its answer: there is no answer to mark
      deps.log.info({ runId, instanceId }, "a dead instance's run left no answer in the store; nothing to mark interrupted");
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

/**
 * A run whose fold cannot be read from its stream (it died before its first event, or its snapshot does not parse):
 * its claim named its conversation, where its answer is stored streaming under its run id with the text flushed so
 * far. That answer stands for its state.
 */
async function stateFromStore(deps: InterruptDeadRunsDeps, run: DeadRun): Promise<RunState | null> {
  if (!run.conversationId) return null;
  const answer = answerOfRun(await deps.store.listMessages(run.conversationId), run.runId);
  if (!answer || answer.status !== "streaming") return null;
  return {
    ...createRunState({ runId: run.runId, text: answer.content, steps: answer.steps }),
    // events whose fold could not be read may be in its stream: its end goes after them
    lastIndex: await deps.stream.lastIndex(run.runId),
    conversationId: run.conversationId,
    assistantMessageId: answer.id,
    taskType: answer.taskType,
  };
}
