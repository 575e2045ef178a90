import type { AgentRunResult } from "@alma/agent";
import type { ErrorCode, RunEventDraft, RunOptions } from "@alma/protocol";
import type { AssistantUpdate } from "@alma/store";
import type { LiveRun } from "./live-run.js";
import { RunMeter } from "./run-meter.js";
import type { RunServices } from "./run-services.js";
import { classifyRunEnd } from "./classify-run-end.js";
import { describeRunFailure } from "./describe-run-failure.js";
import { PartialAnswerFlusher } from "./partial-answer-flusher.js";

export interface RunExecutorDeps extends RunServices {
  flushIntervalMs: number;
  runDeadlineMs: number;
}

export interface RunRequest {
  run: LiveRun;
  receivedAt: number;
  userText: string;
  options: RunOptions;
  /** for run.continue: the stored partial answer the model continues */
  continueFrom?: string;
}

const DEADLINE_GRACE_MS = 5_000;

type AgentEvent = Exclude<RunEventDraft, { type: "run.completed" | "run.error" }>;

/**
 * Drives one run from start to its terminal event: forwards each agent event at once, flushes the
 * partial answer to the database periodically (crash safety), enforces the deadline, and stores the
 * final message before announcing the end, so a client that sees run.completed can reload history.
 */
export async function executeRun(deps: RunExecutorDeps, req: RunRequest): Promise<void> {
  const { run } = req;
  const { store, metrics } = deps;
  const meter = new RunMeter(req.receivedAt, deps.now, undefined, (request, telemetry) => metrics.modelRequest(request, telemetry));
  metrics.runStarted();

  // The run's writes go one after another: a slow flush never lands after a newer one, nor after the final answer.
  let writes: Promise<void> = Promise.resolve();
  const write = (update: AssistantUpdate, failure: string) => {
    writes = writes.then(() =>
      store.updateAssistantMessage(run.assistantMessageId, update).catch((err: unknown) => deps.log.error({ err, runId: run.id }, failure)),
    );
  };
  // crash safety: what the run's fold holds so far, stored periodically (viewers read the live fold, not this); each
  // flush sends only what came since the last one, read from the fold when its turn comes; one waits for the other
  const flusher = new PartialAnswerFlusher(store, run.assistantMessageId, run.state);
  let flushQueued = false;
  const flush = () => {
    if (flushQueued) return;
    flushQueued = true;
    writes = writes.then(() => {
      flushQueued = false;
      return flusher.flush(run.state).then(
        () => undefined,
        (err: unknown) => deps.log.error({ err, runId: run.id }, "could not store a partial answer"),
      );
    });
  };
  const flushTimer = setInterval(flush, deps.flushIntervalMs);
  // The agent ends its own work at the deadline (synthesizing what it has); this is the backstop if it does not.
  const deadlineTimer = setTimeout(() => run.stop("deadline"), Math.max(0, req.receivedAt + deps.runDeadlineMs + DEADLINE_GRACE_MS - deps.now()));

  const emit = (draft: AgentEvent) => {
    // a continue's run.started carries the kept part, so every viewer's fold extends it (the live run was seeded with it)
    const told =
      draft.type === "run.started" && req.continueFrom !== undefined
        ? { ...draft, continued: { text: run.state.text, steps: run.state.steps.length ? run.state.steps : null } }
        : draft;
    const event = run.emit(told);
    if (!event) return;
    switch (event.type) {
      case "run.started":
        write({ taskType: event.taskType }, "could not store the task type");
        break;
      case "run.token":
        meter.token();
        break;
      case "run.context":
        meter.setContext(event.context);
        break;
      case "run.step.completed": {
        const step = run.state.steps.find((s) => s.id === event.stepId);
        meter.addStep({
          stepId: event.stepId,
          title: step?.title ?? event.stepId,
          startMs: meter.offset(step?.startedAt ?? event.at - event.durationMs),
          firstTokenMs: step?.firstTokenAt != null ? meter.offset(step.firstTokenAt) : null,
          endMs: meter.offset(event.at),
          completionTokens: event.completionTokens,
          finishReason: event.finishReason,
        });
        break;
      }
      default:
        break;
    }
  };

  let result: AgentRunResult | null = null;
  let thrown: unknown = null;
  try {
    // every run reads the files sent in its conversation so far (send, edit, regenerate and continue alike)
    const documents = await store.listDocuments(run.conversationId);
    result = await deps.agent.run({
      conversationId: run.conversationId,
      userMessageId: run.userMessageId,
      assistantMessageId: run.assistantMessageId,
      userText: req.userText,
      options: req.options,
      buildContext: deps.memory.contextFor({ conversationId: run.conversationId, assistantMessageId: run.assistantMessageId }),
      ...(deps.memory.measure ? { measure: deps.memory.measure() } : {}),
      signal: run.signal,
      emit,
      meter,
      receivedAt: req.receivedAt,
      documents,
      ...(req.continueFrom !== undefined ? { continueFrom: req.continueFrom } : {}),
    });
  } catch (err) {
    thrown = err;
  } finally {
    clearInterval(flushTimer);
    clearTimeout(deadlineTimer);
  }

  const cause = run.stopCause;
  const failure = thrown !== null && cause === null ? describeRunFailure(thrown) : result?.error && cause === null ? result.error : null;
  if (failure?.code === "internal" && thrown !== null) {
    deps.log.error({ err: thrown, runId: run.id }, "run failed unexpectedly");
  }

  const ended = classifyRunEnd({ cause, failed: failure !== null, finishReason: result?.finishReason ?? null });

  const runMetrics = meter.finish({
    usage: result?.usage ?? null,
    cacheHit: result?.cacheHit ?? false,
    provider: deps.model.provider,
    model: deps.model.model,
  });
  const usageOut = result?.usage ?? { promptTokens: runMetrics.promptTokens, completionTokens: runMetrics.completionTokens, reported: false };

  const error: { code: ErrorCode; message: string; retryable: boolean } | null =
    cause === "shutdown"
      ? {
          code: "shutting_down",
          message: "The server shut down during this answer. The partial answer was kept; continue it when the server is back.",
          retryable: true,
        }
      : failure;

  const terminal: RunEventDraft = error
    ? {
        type: "run.error",
        conversationId: run.conversationId,
        assistantMessageId: run.assistantMessageId,
        code: error.code,
        message: error.message,
        retryable: error.retryable,
        partial: run.state.text.length > 0,
        metrics: runMetrics,
      }
    : {
        type: "run.completed",
        conversationId: run.conversationId,
        assistantMessageId: run.assistantMessageId,
        finishReason: ended.finishReason,
        usage: usageOut,
        metrics: runMetrics,
        cacheHit: result?.cacheHit ?? false,
      };

  // What is stored is what every viewer's fold gives once the terminal event is in: stored before it goes out,
  // so a client that sees the end can reload the history and find the same answer. This write is whole (the text
  // too, not appended): whatever a flush did or did not store, the final answer is exactly the fold's.
  const final = run.preview(terminal);
  await writes;
  try {
    await store.updateAssistantMessage(run.assistantMessageId, {
      content: final.text,
      status: final.status,
      finishReason: final.finishReason ?? ended.finishReason,
      steps: final.steps.length ? final.steps : null,
      ...(result ? { taskType: result.taskType } : final.taskType ? { taskType: final.taskType } : {}),
      usage: usageOut,
      metrics: runMetrics,
      error: error ? { code: error.code, message: error.message } : null,
    });
  } catch (err) {
    deps.log.error({ err, runId: run.id }, "could not store the final answer");
  }
  run.emit(terminal);
  metrics.runEnded(ended.outcome, runMetrics);
  deps.hub.finish(run);
  deps.log.info(
    { runId: run.id, outcome: ended.outcome, ttftMs: runMetrics.firstTokenMs, totalMs: runMetrics.totalMs, tokens: runMetrics.completionTokens },
    "run ended",
  );
  if (ended.outcome === "completed") {
    try {
      deps.memory.afterRun(run.conversationId);
    } catch (err) {
      deps.log.warn({ err, conversationId: run.conversationId }, "could not schedule the conversation summary");
    }
  }
}
