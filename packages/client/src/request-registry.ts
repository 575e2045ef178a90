import type { ClientFrame, ErrorFrame, ServerFrame, ServerFrameOf, ServerFrameType } from "@alma/protocol";
import { AlmaClientError } from "./alma-client-error.js";
import { errorOfFrame } from "./describe-error.js";
import type { RunHandle } from "./run-handle.js";

type RunRequestKind = "run.regenerate" | "run.continue";

interface PendingSend {
  frame: Extract<ClientFrame, { type: "message.send" | "message.edit" }>;
  handle: RunHandle;
  sent: boolean;
}

interface PendingRun {
  kind: RunRequestKind;
  conversationId: string;
  handle: RunHandle;
  frame: ClientFrame;
  sent: boolean;
}

interface PendingResume {
  frame: Extract<ClientFrame, { type: "run.resume" }>;
  sent: boolean;
}

interface PendingRequest {
  frameType: string;
  expect: readonly ServerFrameType[];
  resolve: (frame: ServerFrame) => void;
  reject: (error: AlmaClientError) => void;
  timer: ReturnType<typeof setTimeout>;
  frame: ClientFrame;
  sent: boolean;
}

/** What an error frame concerns beyond what the registry settled itself. */
export type ErrorRoute =
  /** it failed a send, a regenerate/continue or a request the registry held */
  | { to: "settled" }
  /** a refused run.resume: the handles following that run fail with `error` */
  | { to: "run"; runId: string; error: AlmaClientError }
  /** the server dropped events for a slow connection: catch up on that run (null: on every run followed) */
  | { to: "fell_behind"; runId: string | null }
  /** about nothing pending here (a stop of a run that had ended, a request that timed out) */
  | { to: "none" };

/** "Cannot connect…" reads on after a colon as "cannot connect…"; "ALMA_AUTH_TOKEN…" stays as it is. */
function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

/**
 * Everything sent that waits for the server's answer, and the matching of answers and errors to it by the ids the
 * server echoes: a message.send / message.edit by its clientMessageId (message.accepted, or an error naming it), a
 * request by its requestId, a run.resume by its runId. Only run.regenerate and run.continue carry no id, so an error
 * about one goes to the oldest of that kind still waiting; their run.started is matched by conversation.
 */
export class RequestRegistry {
  private readonly sends = new Map<string, PendingSend>();
  private readonly runs: PendingRun[] = [];
  private readonly resumes = new Map<string, PendingResume>();
  private readonly requests = new Map<string, PendingRequest>();

  constructor(
    private readonly write: (frame: ClientFrame) => boolean,
    private readonly requestTimeoutMs: number,
  ) {}

  addSend(frame: PendingSend["frame"], handle: RunHandle): void {
    const pending: PendingSend = { frame, handle, sent: false };
    this.sends.set(frame.clientMessageId, pending);
    pending.sent = this.write(frame);
  }

  /** The handle of the send a message.accepted answers, no longer pending; null when none waits for it. */
  takeAccepted(clientMessageId: string): RunHandle | null {
    const pending = this.sends.get(clientMessageId);
    if (!pending) return null;
    this.sends.delete(clientMessageId);
    return pending.handle;
  }

  addRun(kind: RunRequestKind, conversationId: string, frame: ClientFrame, handle: RunHandle): void {
    const pending: PendingRun = { kind, conversationId, handle, frame, sent: false };
    this.runs.push(pending);
    pending.sent = this.write(frame);
  }

  /** The regenerate/continue a run.started of this conversation answers (the oldest sent), no longer pending. */
  claimStarted(conversationId: string): RunHandle | null {
    const index = this.runs.findIndex((p) => p.sent && p.conversationId === conversationId);
    return index < 0 ? null : this.runs.splice(index, 1)[0]!.handle;
  }

  /** Whether a sent message or run request still unanswered may have started a run of this conversation (null: unknown). */
  mayOwn(conversationId: string | null): boolean {
    const matches = (c: string | null) => conversationId === null || c === null || c === conversationId;
    for (const pending of this.sends.values()) if (pending.sent && matches(pending.frame.conversationId)) return true;
    return this.runs.some((p) => p.sent && matches(p.conversationId));
  }

  /** Asks the server to replay a run after `afterIndex`; it stays pending until the run's next event or a refusal. */
  resume(runId: string, afterIndex: number): void {
    const frame: PendingResume["frame"] = { type: "run.resume", runId, afterIndex };
    this.resumes.set(runId, { frame, sent: this.write(frame) });
  }

  resumeAnswered(runId: string): void {
    this.resumes.delete(runId);
  }

  request<T extends ServerFrameType>(frame: ClientFrame & { requestId?: string }, expect: readonly T[]): Promise<ServerFrameOf<T>> {
    const requestId = frame.requestId;
    if (requestId === undefined) return Promise.reject(new AlmaClientError({ code: "invalid_input", message: `${frame.type} needs a requestId.` }));
    return new Promise<ServerFrameOf<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.requests.delete(requestId);
        reject(
          new AlmaClientError({
            code: "request_timeout",
            message: `The server did not answer ${frame.type} within ${this.requestTimeoutMs} ms.`,
            retryable: true,
          }),
        );
      }, this.requestTimeoutMs);
      const request: PendingRequest = { frameType: frame.type, expect, resolve: resolve as (f: ServerFrame) => void, reject, timer, frame, sent: false };
      this.requests.set(requestId, request);
      request.sent = this.write(frame);
    });
  }

  /** Settles the request a reply (or an error) names; false when none waits for that id. */
  settle(requestId: string, frame: ServerFrame): boolean {
    const request = this.requests.get(requestId);
    if (!request) return false;
    this.requests.delete(requestId);
    clearTimeout(request.timer);
    if (frame.type === "error") request.reject(errorOfFrame(frame));
    else if (!request.expect.includes(frame.type)) {
      request.reject(
        new AlmaClientError({
          code: "invalid_server_frame",
          message: `The server answered ${request.frameType} with ${frame.type}, expected ${request.expect.join(" or ")}.`,
        }),
      );
    } else request.resolve(frame);
    return true;
  }

  /** Fails exactly what an error frame names, by the ids the server sets on it (see the class comment). */
  routeError(frame: ErrorFrame): ErrorRoute {
    const error = errorOfFrame(frame);
    if (frame.requestId !== undefined) return this.settle(frame.requestId, frame) ? { to: "settled" } : { to: "none" };
    if (frame.clientMessageId !== undefined) {
      const handle = this.takeAccepted(frame.clientMessageId);
      handle?.fail(error);
      return handle ? { to: "settled" } : { to: "none" };
    }
    if (frame.code === "stream_interrupted" && frame.frameType === undefined) return { to: "fell_behind", runId: frame.runId ?? null };
    if (frame.runId !== undefined) {
      // a refused run.stop names a run that has ended: its end reaches the handle as events, nothing fails
      if (frame.frameType !== "run.resume") return { to: "none" };
      this.resumes.delete(frame.runId);
      return { to: "run", runId: frame.runId, error };
    }
    if (frame.frameType === "run.regenerate" || frame.frameType === "run.continue") {
      // the one case where the server has no id to echo: the oldest request of that kind the server has
      const index = this.runs.findIndex((p) => p.sent && p.kind === frame.frameType);
      if (index < 0) return { to: "none" };
      this.runs.splice(index, 1)[0]!.handle.fail(error);
      return { to: "settled" };
    }
    return { to: "none" };
  }

  /** On open: every message not yet acknowledged goes (again: the server dedupes by clientMessageId), then what never went. */
  resendSends(): void {
    for (const pending of this.sends.values()) pending.sent = this.write(pending.frame) || pending.sent;
  }

  writeUnsent(): void {
    for (const pending of this.runs) if (!pending.sent) pending.sent = this.write(pending.frame);
    for (const pending of this.resumes.values()) if (!pending.sent) pending.sent = this.write(pending.frame);
    for (const request of this.requests.values()) if (!request.sent) request.sent = this.write(request.frame);
  }

  /** The connection dropped: what cannot be matched or safely resent any more fails; sends and resumes wait for the reconnect. */
  connectionLost(lost: AlmaClientError): void {
    // a request whose answer may have been lost cannot be matched any more; the caller decides whether to retry
    for (const [id, request] of this.requests) {
      if (!request.sent) continue;
      clearTimeout(request.timer);
      this.requests.delete(id);
      request.reject(lost);
    }
    // regenerate/continue have no client id the server could dedupe, so resending could start a second run
    for (let i = this.runs.length - 1; i >= 0; i--) {
      const pending = this.runs[i]!;
      if (!pending.sent) continue;
      this.runs.splice(i, 1);
      pending.handle.fail(
        new AlmaClientError({
          code: "connection_lost",
          message: `The connection dropped before the server confirmed the ${pending.kind === "run.regenerate" ? "regenerate" : "continue"} request; reload the conversation to see whether it started.`,
          retryable: true,
        }),
      );
    }
    for (const pending of this.resumes.values()) pending.sent = false;
  }

  /** Closed for good: everything pending fails with `reason`. */
  shutdown(reason: AlmaClientError): void {
    for (const pending of this.sends.values()) {
      // a message still queued never reached the server: say so, so it is not taken for an answer that failed
      pending.handle.fail(
        pending.sent
          ? reason
          : new AlmaClientError({
              code: reason.code,
              message: `The message was not sent: ${lowerFirst(reason.message)}`,
              retryable: reason.retryable,
              cause: reason,
            }),
      );
    }
    this.sends.clear();
    for (const pending of this.runs) pending.handle.fail(reason);
    this.runs.length = 0;
    this.resumes.clear();
    for (const request of this.requests.values()) {
      clearTimeout(request.timer);
      request.reject(reason);
    }
    this.requests.clear();
  }
}
