import {
  PROTOCOL_VERSION,
  clientFrameSchema,
  formatZodIssues,
  parseServerFrame,
  type ClientFrame,
  type ClientFrameInput,
  type Conversation,
  type FrameIssue,
  type RunEvent,
  type RunOptions,
  type ServerFrame,
  type ServerFrameOf,
  type ServerFrameType,
} from "@alma/protocol";
import { AlmaClientError } from "./alma-client-error.js";
import { backoffDelay, defaultBackoffOptions, type BackoffOptions } from "./backoff.js";
import type { ConnectionState, WelcomeFrame } from "./connection-state.js";
import { createId } from "./create-id.js";
import { RunHandle } from "./run-handle.js";
import { WEBSOCKET_OPEN, type WebSocketConstructor, type WebSocketLike } from "./websocket-like.js";

export interface AlmaClientOptions {
  /** WebSocket implementation; defaults to globalThis.WebSocket (pass `ws`'s WebSocket in Node) */
  WebSocket?: WebSocketConstructor;
  /** reconnect after a dropped connection; `false` turns it off (the CLI) */
  reconnect?: Partial<BackoffOptions> | false;
  handshakeTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** sent in `hello` so the server's logs can tell clients apart */
  clientName?: string;
  random?: () => number;
  createId?: () => string;
  now?: () => number;
  /**
   * run events held for a run whose handle is not bound yet (its ack has not arrived); past this the client
   * stops holding them and, once the ack binds the handle, resumes the run from the last one held. Default 10,000.
   */
  maxEarlyRunEvents?: number;
}

export interface ConnectOptions {
  /** the access token when the server sets ALMA_AUTH_TOKEN */
  token?: string;
  /**
   * keep trying when the first attempt fails, with the same backoff as a reconnect, instead of rejecting at
   * once: the client stays usable (`connecting` / `reconnecting`), so messages sent meanwhile wait and go
   * out once it is open. connect() then resolves with the first welcome and rejects only when the client
   * gives up for good (a fatal handshake error, `maxAttempts`, or close()). Ignored with `reconnect: false`.
   */
  retry?: boolean;
}

export interface ReceivedFrame {
  frame: ServerFrame;
  /** the frame's text exactly as the server sent it */
  text: string;
  /** epoch ms when the client received it */
  receivedAt: number;
}

export interface InvalidFrameEvent {
  reason: string;
  issues: FrameIssue[];
  text: string;
  receivedAt: number;
}

export type ClientEventMap = { [K in ServerFrameType]: ServerFrameOf<K> } & {
  /** every connection state change */
  state: ConnectionState;
  /** every valid frame after ordering and deduplication, with its raw text */
  frame: ReceivedFrame;
  /** a frame that failed validation; it is dropped, the connection stays up */
  "frame.invalid": InvalidFrameEvent;
};
export type ClientEventType = keyof ClientEventMap;

export interface SendOptions {
  /** null or omitted starts a new conversation */
  conversationId?: string | null;
  options?: Partial<RunOptions>;
  /** reuse an id to resend a message the server may already have */
  clientMessageId?: string;
}

export type PinTarget = { text: string; messageId?: undefined } | { messageId: string; text?: undefined };

interface PendingSend {
  frame: ClientFrame;
  handle: RunHandle;
  sent: boolean;
}

interface PendingRun {
  kind: "run.regenerate" | "run.continue" | "run.resume";
  conversationId: string | null;
  runId: string | null;
  handle: RunHandle;
  frame: ClientFrame;
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

interface RunTracker {
  runId: string;
  lastIndex: number;
  /** events that arrived ahead of a gap, by index */
  ahead: Map<number, ReceivedFrame>;
  handle: RunHandle | null;
  /** events delivered before a handle was bound (message.accepted can trail the first events) */
  early: RunEvent[];
  /** the index of the last early event held once the cap was reached; later ones are fetched again with run.resume */
  overflowAfter: number | null;
  resumedAfter: number | null;
}

interface Handshake {
  resolve: (welcome: WelcomeFrame) => void;
  reject: (error: AlmaClientError) => void;
}

const FATAL_HANDSHAKE_CODES = new Set(["unsupported_version", "unauthorized"]);
const MAX_FINISHED_RUNS = 1000;
const MAX_EARLY_EVENTS = 10_000;

/**
 * A typed client of the alma WebSocket protocol. It validates every server frame, keeps the runs it
 * follows gap-free and duplicate-free across reconnects (run.resume with the last index), and resends
 * messages the server had not acknowledged when the connection dropped (the server dedupes them).
 */
export class AlmaClient {
  private readonly WebSocketImpl: WebSocketConstructor | undefined;
  private readonly backoff: BackoffOptions | null;
  private readonly handshakeTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly clientName: string;
  private readonly random: () => number;
  private readonly newId: () => string;
  private readonly now: () => number;
  private readonly maxEarlyRunEvents: number;

  private url = "";
  private token: string | undefined;
  private socket: WebSocketLike | null = null;
  private generation = 0;
  private currentState: ConnectionState = { status: "idle" };
  private userClosed = false;
  private handshake: Handshake | null = null;
  private cancelSleep: (() => void) | null = null;
  private metricsEnabled = false;

  private readonly listeners = new Map<string, Set<(value: never) => void>>();
  private readonly outbox: ClientFrame[] = [];
  private readonly pendingSends = new Map<string, PendingSend>();
  private readonly pendingRuns: PendingRun[] = [];
  private readonly requests = new Map<string, PendingRequest>();
  private readonly trackers = new Map<string, RunTracker>();
  private readonly finishedRuns = new Set<string>();

  constructor(options: AlmaClientOptions = {}) {
    this.WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    this.backoff = options.reconnect === false ? null : { ...defaultBackoffOptions, ...options.reconnect };
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.clientName = options.clientName ?? "@alma/client";
    this.random = options.random ?? Math.random;
    this.newId = options.createId ?? createId;
    this.now = options.now ?? Date.now;
    this.maxEarlyRunEvents = options.maxEarlyRunEvents ?? MAX_EARLY_EVENTS;
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** the welcome frame of the current connection, when open */
  get welcome(): WelcomeFrame | null {
    return this.currentState.status === "open" ? this.currentState.welcome : null;
  }

  /** Listens to a server frame type (or `state`, `frame`, `frame.invalid`); returns the unsubscribe function. */
  on<K extends ClientEventType>(type: K, listener: (value: ClientEventMap[K]) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) {
      set = new Set();
      this.listeners.set(type, set);
    }
    const entry = listener as (value: never) => void;
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  /**
   * Opens the socket and does the `hello` handshake; resolves with the server's `welcome`. Messages, runs and
   * requests started while it connects are queued and go out, in order, once the connection is open.
   */
  async connect(url: string, options: ConnectOptions = {}): Promise<WelcomeFrame> {
    if (this.currentState.status !== "idle" && this.currentState.status !== "closed") {
      throw new AlmaClientError({ code: "invalid_input", message: "The client is already connected; call close() before connecting again." });
    }
    this.url = url;
    this.token = options.token;
    this.userClosed = false;
    this.setState({ status: "connecting", attempt: 0 });
    let failure: AlmaClientError;
    try {
      const welcome = await this.openSocket();
      this.onSessionOpen(welcome);
      return welcome;
    } catch (error) {
      failure = asClientError(error);
    }
    if (options.retry && this.backoff && !this.userClosed && !FATAL_HANDSHAKE_CODES.has(failure.code)) {
      // what was queued stays queued while the client tries again, as after a dropped connection
      const outcome = await this.reconnectLoop(failure.message, this.backoff);
      if (outcome instanceof AlmaClientError) throw outcome;
      return outcome;
    }
    this.shutdown(failure);
    throw failure;
  }

  /** Closes the connection for good: no reconnect; runs and requests still pending fail with `connection_closed`. */
  close(): void {
    this.userClosed = true;
    this.cancelSleep?.();
    const socket = this.socket;
    this.socket = null;
    this.generation++;
    if (this.handshake) {
      this.handshake.reject(new AlmaClientError({ code: "connection_closed", message: "The client was closed while connecting." }));
      this.handshake = null;
    }
    socket?.close(1000, "client closed");
    if (this.currentState.status !== "closed") {
      this.shutdown(null);
    }
  }

  /** Sends a message; the handle follows the run it starts. Throws `invalid_input` for a message the protocol refuses. */
  send(content: string, options: SendOptions = {}): RunHandle {
    const clientMessageId = options.clientMessageId ?? this.newId();
    const frame = this.validate({
      type: "message.send",
      clientMessageId,
      conversationId: options.conversationId ?? null,
      content,
      options: options.options,
    });
    return this.startAcknowledged(frame, clientMessageId);
  }

  /** Replaces a user message (every later message is removed) and runs again from there. */
  edit(conversationId: string, messageId: string, content: string, options: Omit<SendOptions, "conversationId"> = {}): RunHandle {
    const clientMessageId = options.clientMessageId ?? this.newId();
    const frame = this.validate({
      type: "message.edit",
      clientMessageId,
      conversationId,
      messageId,
      content,
      options: options.options,
    });
    return this.startAcknowledged(frame, clientMessageId);
  }

  /** Regenerates the conversation's last answer. */
  regenerate(conversationId: string, options?: Partial<RunOptions>): RunHandle {
    const frame = this.validate({ type: "run.regenerate", conversationId, options });
    return this.startUnacknowledged({ kind: "run.regenerate", conversationId, runId: null, frame });
  }

  /** Continues a partial (stopped, failed or interrupted) answer. */
  continue(conversationId: string, messageId: string): RunHandle {
    const frame = this.validate({ type: "run.continue", conversationId, messageId });
    return this.startUnacknowledged({ kind: "run.continue", conversationId, runId: null, frame });
  }

  /** Follows a run that is already going (after a reload, or from another tab), from the event after `afterIndex`. */
  resume(runId: string, afterIndex = -1): RunHandle {
    const frame = this.validate({ type: "run.resume", runId, afterIndex });
    const existing = this.trackers.get(runId)?.handle;
    if (existing && !existing.finished) return existing;
    const handle = new RunHandle((id) => this.stop(id));
    handle.bind(runId);
    const tracker = this.tracker(runId, afterIndex);
    tracker.handle = handle;
    tracker.lastIndex = Math.max(tracker.lastIndex, afterIndex);
    const pending: PendingRun = { kind: "run.resume", conversationId: null, runId, handle, frame, sent: false };
    this.pendingRuns.push(pending);
    pending.sent = this.write(frame);
    tracker.resumedAfter = tracker.lastIndex;
    return handle;
  }

  /** Stops a run; the server aborts the model request and keeps the partial answer. */
  stop(runId: string): void {
    this.writeOrQueue(this.validate({ type: "run.stop", runId }));
  }

  /** Turns the server's live metrics frames (`metrics.server`) on or off; kept across reconnects. */
  subscribeMetrics(enabled = true): void {
    this.metricsEnabled = enabled;
    this.writeOrQueue(this.validate({ type: "metrics.subscribe", enabled }));
  }

  async listConversations(query?: string): Promise<ServerFrameOf<"conversation.list.result">["conversations"]> {
    const result = await this.request({ type: "conversation.list", query }, ["conversation.list.result"]);
    return result.conversations;
  }

  history(conversationId: string): Promise<ServerFrameOf<"conversation.history.result">> {
    return this.request({ type: "conversation.history", conversationId }, ["conversation.history.result"]);
  }

  async rename(conversationId: string, title: string): Promise<Conversation> {
    const result = await this.request({ type: "conversation.rename", conversationId, title }, ["conversation.updated"]);
    return result.conversation;
  }

  delete(conversationId: string): Promise<ServerFrameOf<"conversation.deleted">> {
    return this.request({ type: "conversation.delete", conversationId }, ["conversation.deleted"]);
  }

  async restore(conversationId: string): Promise<Conversation> {
    const result = await this.request({ type: "conversation.restore", conversationId }, ["conversation.updated"]);
    return result.conversation;
  }

  pin(conversationId: string, target: PinTarget): Promise<ServerFrameOf<"memory.updated">> {
    return this.request({ type: "memory.pin", conversationId, text: target.text, messageId: target.messageId }, ["memory.updated"]);
  }

  unpin(conversationId: string, factId: string): Promise<ServerFrameOf<"memory.updated">> {
    return this.request({ type: "memory.unpin", conversationId, factId }, ["memory.updated"]);
  }

  // ---- connection ---------------------------------------------------------------------------------

  private openSocket(): Promise<WelcomeFrame> {
    const Impl = this.WebSocketImpl;
    if (!Impl) {
      return Promise.reject(
        new AlmaClientError({ code: "connection_failed", message: "No WebSocket implementation: pass the `ws` package's WebSocket as the `WebSocket` option." }),
      );
    }
    const generation = ++this.generation;
    let socket: WebSocketLike;
    try {
      socket = new Impl(this.url);
    } catch (error) {
      return Promise.reject(
        new AlmaClientError({ code: "connection_failed", message: `Cannot open a WebSocket to ${this.url}: ${describe(error)}`, cause: error }),
      );
    }
    this.socket = socket;
    return new Promise<WelcomeFrame>((resolve, reject) => {
      let lastError: string | null = null;
      const stale = () => generation !== this.generation;
      const timer = setTimeout(() => {
        this.handshake?.reject(
          new AlmaClientError({ code: "handshake_timeout", message: `The server at ${this.url} did not answer the handshake within ${this.handshakeTimeoutMs} ms.`, retryable: true }),
        );
      }, this.handshakeTimeoutMs);
      this.handshake = {
        resolve: (welcome) => {
          clearTimeout(timer);
          this.handshake = null;
          resolve(welcome);
        },
        reject: (error) => {
          clearTimeout(timer);
          this.handshake = null;
          // this socket is done: its late close event must not start a reconnect of its own
          if (!stale()) {
            this.generation++;
            this.socket = null;
          }
          socket.close(1000, "handshake failed");
          reject(error);
        },
      };
      socket.addEventListener("open", () => {
        if (stale()) return;
        const hello: ClientFrameInput = { type: "hello", protocolVersion: PROTOCOL_VERSION, client: this.clientName };
        if (this.token !== undefined) hello.token = this.token;
        socket.send(JSON.stringify(hello));
      });
      socket.addEventListener("message", (event) => {
        if (!stale()) this.onData(event.data);
      });
      socket.addEventListener("error", (event) => {
        lastError = event.message || describe(event.error) || lastError;
      });
      socket.addEventListener("close", (event) => {
        if (stale()) return;
        this.socket = null;
        const why = lastError ?? `the socket closed (code ${event.code}${event.reason ? `: ${event.reason}` : ""})`;
        if (this.handshake) {
          this.handshake.reject(new AlmaClientError({ code: "connection_failed", message: `Cannot connect to ${this.url}: ${why}`, retryable: true }));
        } else {
          this.onConnectionLost(why);
        }
      });
    });
  }

  private onSessionOpen(welcome: WelcomeFrame): void {
    this.setState({ status: "open", welcome });
    for (const pending of this.pendingSends.values()) pending.sent = this.write(pending.frame) || pending.sent;
    for (const tracker of this.trackers.values()) this.resumeFollowed(tracker);
    for (const pending of this.pendingRuns) {
      if (!pending.sent) pending.sent = this.write(pending.frame);
    }
    if (this.metricsEnabled) this.write({ type: "metrics.subscribe", enabled: true });
    for (const request of this.requests.values()) {
      if (!request.sent) request.sent = this.write(request.frame);
    }
    const queued = this.outbox.splice(0);
    for (const frame of queued) this.write(frame);
  }

  private onConnectionLost(why: string): void {
    if (this.userClosed) return;
    const lost = new AlmaClientError({ code: "connection_lost", message: `The connection to ${this.url} was lost: ${why}`, retryable: true });
    // a request whose answer may have been lost cannot be matched any more; the caller decides whether to retry
    for (const [id, request] of this.requests) {
      if (!request.sent) continue;
      clearTimeout(request.timer);
      this.requests.delete(id);
      request.reject(lost);
    }
    // regenerate/continue have no client id the server could dedupe, so resending could start a second run
    for (let i = this.pendingRuns.length - 1; i >= 0; i--) {
      const pending = this.pendingRuns[i]!;
      if (pending.kind === "run.resume") {
        pending.sent = false;
        continue;
      }
      if (pending.sent) {
        this.pendingRuns.splice(i, 1);
        pending.handle.fail(
          new AlmaClientError({
            code: "connection_lost",
            message: `The connection dropped before the server confirmed the ${pending.kind === "run.regenerate" ? "regenerate" : "continue"} request; reload the conversation to see whether it started.`,
            retryable: true,
          }),
        );
      }
    }
    if (!this.backoff) {
      this.shutdown(lost);
      return;
    }
    void this.reconnectLoop(why, this.backoff);
  }

  /** Tries again with backoff until open (the welcome), or until it gives up for good (the error; the client is closed then). */
  private async reconnectLoop(firstError: string, backoff: BackoffOptions): Promise<WelcomeFrame | AlmaClientError> {
    const closed = () => new AlmaClientError({ code: "connection_closed", message: "The client was closed before the connection was back." });
    let lastError: string = firstError;
    for (let attempt = 1; ; attempt++) {
      if (this.userClosed) return closed();
      if (attempt > backoff.maxAttempts) {
        const failure = new AlmaClientError({ code: "connection_lost", message: `Gave up connecting to ${this.url} after ${backoff.maxAttempts} attempts: ${lastError}`, retryable: true });
        this.shutdown(failure);
        return failure;
      }
      const delayMs = backoffDelay(attempt, backoff, this.random);
      this.setState({ status: "reconnecting", attempt, delayMs, nextAttemptAt: this.now() + delayMs, lastError });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        this.cancelSleep = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.cancelSleep = null;
      if (this.userClosed) return closed();
      this.setState({ status: "connecting", attempt });
      try {
        const welcome = await this.openSocket();
        if (this.userClosed) return closed();
        this.onSessionOpen(welcome);
        return welcome;
      } catch (error) {
        if (this.userClosed) return closed();
        const failure = asClientError(error);
        if (FATAL_HANDSHAKE_CODES.has(failure.code)) {
          this.shutdown(failure);
          return failure;
        }
        lastError = failure.message;
      }
    }
  }

  private shutdown(error: AlmaClientError | null): void {
    const reason = error ?? new AlmaClientError({ code: "connection_closed", message: "The client was closed." });
    this.setState({ status: "closed", error });
    for (const pending of this.pendingSends.values()) {
      // a message still queued never reached the server: say so, so it is not taken for an answer that failed
      pending.handle.fail(
        pending.sent
          ? reason
          : new AlmaClientError({ code: reason.code, message: `The message was not sent: ${lowerFirst(reason.message)}`, retryable: reason.retryable, cause: reason }),
      );
    }
    this.pendingSends.clear();
    for (const pending of this.pendingRuns) pending.handle.fail(reason);
    this.pendingRuns.length = 0;
    for (const tracker of this.trackers.values()) tracker.handle?.fail(reason);
    this.trackers.clear();
    for (const request of this.requests.values()) {
      clearTimeout(request.timer);
      request.reject(reason);
    }
    this.requests.clear();
    this.outbox.length = 0;
    this.metricsEnabled = false;
  }

  // ---- incoming -----------------------------------------------------------------------------------

  private onData(data: unknown): void {
    const receivedAt = this.now();
    if (typeof data !== "string") {
      this.reportInvalid({ reason: "the server sent a binary frame; alma frames are JSON text", issues: [], text: "", receivedAt });
      return;
    }
    const parsed = parseServerFrame(data);
    if (!parsed.ok) {
      this.reportInvalid({ reason: parsed.reason, issues: parsed.issues, text: data, receivedAt });
      return;
    }
    const received: ReceivedFrame = { frame: parsed.frame, text: data, receivedAt };
    const frame = parsed.frame;
    if (this.handshake) {
      if (frame.type === "welcome") {
        this.emitFrame(received);
        this.handshake.resolve(frame);
        return;
      }
      if (frame.type === "error" && frame.requestId === undefined && (frame.frameType === undefined || frame.frameType === "hello")) {
        this.emitFrame(received);
        this.handshake.reject(
          new AlmaClientError({ code: frame.code, message: frame.message, retryable: frame.retryable, retryAfterMs: frame.retryAfterMs }),
        );
        return;
      }
    }
    if (isRunEvent(frame)) {
      this.onRunEvent(frame, received);
      return;
    }
    this.emitFrame(received);
    switch (frame.type) {
      case "message.accepted":
        this.onAccepted(frame);
        break;
      case "error":
        this.onError(frame);
        break;
      default:
        if ("requestId" in frame && frame.requestId !== undefined) this.settleRequest(frame.requestId, frame);
    }
  }

  private reportInvalid(event: InvalidFrameEvent): void {
    if (this.handshake) {
      this.handshake.reject(new AlmaClientError({ code: "invalid_server_frame", message: `The server at ${this.url} answered the handshake with ${event.reason}.` }));
    }
    this.emit("frame.invalid", event);
  }

  private onAccepted(frame: ServerFrameOf<"message.accepted">): void {
    const pending = this.pendingSends.get(frame.clientMessageId);
    if (!pending) return;
    this.pendingSends.delete(frame.clientMessageId);
    pending.handle.acknowledge(frame);
    if (frame.runId === null) {
      pending.handle.fail(
        new AlmaClientError({
          code: "run_unavailable",
          message: "The server already had this message and its run ended while the connection was down; reload the conversation's history to see the answer.",
        }),
      );
      return;
    }
    this.attach(frame.runId, pending.handle, -1);
  }

  private onError(frame: ServerFrameOf<"error">): void {
    const failure = new AlmaClientError({ code: frame.code, message: frame.message, retryable: frame.retryable, retryAfterMs: frame.retryAfterMs });
    if (frame.requestId !== undefined && this.requests.has(frame.requestId)) {
      this.settleRequest(frame.requestId, frame);
      return;
    }
    // message.send has no requestId: an error about one belongs to the oldest send still unacknowledged
    if (frame.frameType === "message.send" || frame.frameType === "message.edit") {
      for (const [id, pending] of this.pendingSends) {
        if (pending.sent && pending.frame.type === frame.frameType) {
          this.pendingSends.delete(id);
          pending.handle.fail(failure);
          return;
        }
      }
      return;
    }
    if (frame.frameType === undefined && frame.code === "stream_interrupted") {
      // the server dropped events for a slow connection: catch up from what each followed run has
      for (const tracker of this.trackers.values()) this.resumeFollowed(tracker);
      return;
    }
    // an error naming a run (a refused resume: the run ended or left the replay buffer) fails exactly that run's handle
    const byRun = frame.runId === undefined ? -1 : this.pendingRuns.findIndex((p) => p.kind === "run.resume" && p.runId === frame.runId);
    if (byRun >= 0 || frame.frameType === "run.regenerate" || frame.frameType === "run.continue" || frame.frameType === "run.resume") {
      const index = byRun >= 0 ? byRun : this.pendingRuns.findIndex((p) => p.sent && p.kind === frame.frameType);
      if (index < 0) return;
      const [pending] = this.pendingRuns.splice(index, 1);
      if (pending!.runId !== null) this.trackers.delete(pending!.runId);
      pending!.handle.fail(failure);
    }
  }

  private settleRequest(requestId: string, frame: ServerFrame): void {
    const request = this.requests.get(requestId);
    if (!request) return;
    this.requests.delete(requestId);
    clearTimeout(request.timer);
    if (frame.type === "error") {
      request.reject(new AlmaClientError({ code: frame.code, message: frame.message, retryable: frame.retryable, retryAfterMs: frame.retryAfterMs }));
    } else if (!request.expect.includes(frame.type)) {
      request.reject(
        new AlmaClientError({ code: "invalid_server_frame", message: `The server answered ${request.frameType} with ${frame.type}, expected ${request.expect.join(" or ")}.` }),
      );
    } else {
      request.resolve(frame);
    }
  }

  /** Orders a run's events by index, drops repeats, and holds events that arrive ahead of a gap. */
  private onRunEvent(event: RunEvent, received: ReceivedFrame): void {
    if (this.finishedRuns.has(event.runId)) return;
    const tracker = this.tracker(event.runId, event.index - 1);
    if (event.index <= tracker.lastIndex) return;
    if (event.index > tracker.lastIndex + 1) {
      tracker.ahead.set(event.index, received);
      // ask for the missing events once per gap; repeats that come back are dropped above
      if (tracker.resumedAfter !== tracker.lastIndex) this.resumeFollowed(tracker);
      return;
    }
    let next: ReceivedFrame | undefined = received;
    while (next) {
      const nextEvent = next.frame as RunEvent;
      tracker.ahead.delete(nextEvent.index);
      tracker.lastIndex = nextEvent.index;
      this.deliverRunEvent(tracker, nextEvent, next);
      if (!this.trackers.has(tracker.runId)) return;
      next = tracker.ahead.get(tracker.lastIndex + 1);
    }
  }

  private deliverRunEvent(tracker: RunTracker, event: RunEvent, received: ReceivedFrame): void {
    const resumeIndex = this.pendingRuns.findIndex((p) => p.kind === "run.resume" && p.runId === event.runId);
    if (resumeIndex >= 0) this.pendingRuns.splice(resumeIndex, 1);
    if (!tracker.handle && event.type === "run.started") {
      const index = this.pendingRuns.findIndex((p) => p.kind !== "run.resume" && p.sent && p.conversationId === event.conversationId);
      if (index >= 0) {
        const [pending] = this.pendingRuns.splice(index, 1);
        pending!.handle.bind(event.runId);
        tracker.handle = pending!.handle;
      }
    }
    if (tracker.handle) tracker.handle.push(event);
    else if (tracker.overflowAfter === null) {
      if (tracker.early.length < this.maxEarlyRunEvents) tracker.early.push(event);
      // past the cap nothing more is held: attach resumes from here, so the handle still gets every event
      else tracker.overflowAfter = event.index - 1;
    }
    this.emitFrame(received);
    if (event.type === "run.completed" || event.type === "run.error") {
      // a run that ended before its ack stays tracked while a send awaits one, so the ack still finds its events
      if (tracker.handle || this.pendingSends.size === 0) this.trackers.delete(event.runId);
      this.finishedRuns.add(event.runId);
      if (this.finishedRuns.size > MAX_FINISHED_RUNS) {
        const oldest = this.finishedRuns.values().next().value;
        if (oldest !== undefined) {
          this.finishedRuns.delete(oldest);
          if (this.trackers.get(oldest)?.handle === null) this.trackers.delete(oldest);
        }
      }
    }
  }

  /**
   * Asks the server to replay a followed run after the last index the client has. The pending entry lets
   * an error answer (the run ended meanwhile) fail the handle instead of leaving it waiting.
   */
  private resumeFollowed(tracker: RunTracker): void {
    const handle = tracker.handle;
    if (!handle || handle.finished) return;
    const frame: ClientFrame = { type: "run.resume", runId: tracker.runId, afterIndex: tracker.lastIndex };
    tracker.resumedAfter = tracker.lastIndex;
    const existing = this.pendingRuns.find((p) => p.kind === "run.resume" && p.runId === tracker.runId);
    if (existing) {
      existing.frame = frame;
      existing.sent = this.write(frame);
      return;
    }
    this.pendingRuns.push({ kind: "run.resume", conversationId: null, runId: tracker.runId, handle, frame, sent: this.write(frame) });
  }

  private tracker(runId: string, lastIndex: number): RunTracker {
    let tracker = this.trackers.get(runId);
    if (!tracker) {
      tracker = { runId, lastIndex, ahead: new Map(), handle: null, early: [], overflowAfter: null, resumedAfter: null };
      this.trackers.set(runId, tracker);
    }
    return tracker;
  }

  /** Binds a handle to a run, handing it any events that arrived before the binding. */
  private attach(runId: string, handle: RunHandle, lastIndex: number): void {
    handle.bind(runId);
    const held = this.trackers.get(runId);
    if (this.finishedRuns.has(runId) && !held) return;
    const tracker = held ?? this.tracker(runId, lastIndex);
    tracker.handle = handle;
    for (const event of tracker.early.splice(0)) handle.push(event);
    if (tracker.overflowAfter !== null) {
      // events past the cap were not held: fetch them again, whether or not the run has ended meanwhile
      tracker.lastIndex = tracker.overflowAfter;
      tracker.overflowAfter = null;
      tracker.ahead.clear();
      this.finishedRuns.delete(runId);
      this.resumeFollowed(tracker);
    } else if (this.finishedRuns.has(runId)) {
      this.trackers.delete(runId);
    }
  }

  // ---- outgoing -----------------------------------------------------------------------------------

  private startAcknowledged(frame: ClientFrame, clientMessageId: string): RunHandle {
    this.assertUsable();
    const handle = new RunHandle((id) => this.stop(id), clientMessageId);
    const pending: PendingSend = { frame, handle, sent: false };
    this.pendingSends.set(clientMessageId, pending);
    pending.sent = this.write(frame);
    return handle;
  }

  private startUnacknowledged(init: Omit<PendingRun, "handle" | "sent">): RunHandle {
    this.assertUsable();
    const handle = new RunHandle((id) => this.stop(id));
    const pending: PendingRun = { ...init, handle, sent: false };
    this.pendingRuns.push(pending);
    pending.sent = this.write(init.frame);
    return handle;
  }

  private request<T extends ServerFrameType>(input: ClientFrameInput, expect: readonly T[]): Promise<ServerFrameOf<T>> {
    const requestId = this.newId();
    let frame: ClientFrame;
    try {
      frame = this.validate({ ...input, requestId } as ClientFrameInput);
      this.assertUsable();
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<ServerFrameOf<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.requests.delete(requestId);
        reject(new AlmaClientError({ code: "request_timeout", message: `The server did not answer ${frame.type} within ${this.requestTimeoutMs} ms.`, retryable: true }));
      }, this.requestTimeoutMs);
      const request: PendingRequest = {
        frameType: frame.type,
        expect,
        resolve: resolve as (frame: ServerFrame) => void,
        reject,
        timer,
        frame,
        sent: false,
      };
      this.requests.set(requestId, request);
      request.sent = this.write(frame);
    });
  }

  private validate(input: ClientFrameInput): ClientFrame {
    const parsed = clientFrameSchema.safeParse(input);
    if (!parsed.success) {
      const issues = formatZodIssues(parsed.error);
      throw new AlmaClientError({
        code: "invalid_input",
        message: `Cannot send ${input.type}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
      });
    }
    return parsed.data;
  }

  /** While connecting or reconnecting the client queues what it is asked to send; idle or closed for good, it refuses. */
  private assertUsable(): void {
    const state = this.currentState;
    if (state.status === "idle") {
      throw new AlmaClientError({ code: "not_connected", message: "The client is not connected; call connect(url) first." });
    }
    if (state.status === "closed") {
      throw new AlmaClientError({
        code: "not_connected",
        message: state.error
          ? `Not sent: the connection to ${this.url} failed for good (${state.error.message.replace(/\.$/, "")}). Connect again to send.`
          : "Not sent: the client was closed. Connect again to send.",
        cause: state.error ?? undefined,
      });
    }
  }

  private write(frame: ClientFrame | ClientFrameInput): boolean {
    if (this.currentState.status !== "open" || !this.socket || this.socket.readyState !== WEBSOCKET_OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  private writeOrQueue(frame: ClientFrame): void {
    if (this.write(frame)) return;
    this.assertUsable();
    this.outbox.push(frame);
  }

  // ---- events -------------------------------------------------------------------------------------

  private setState(state: ConnectionState): void {
    this.currentState = state;
    this.emit("state", state);
  }

  private emitFrame(received: ReceivedFrame): void {
    this.emit("frame", received);
    this.emit(received.frame.type, received.frame as never);
  }

  private emit<K extends ClientEventType>(type: K, value: ClientEventMap[K]): void {
    const set = this.listeners.get(type);
    if (!set || set.size === 0) return;
    // a snapshot, so listeners added or removed mid-emit do not change who gets this value
    for (const listener of [...set]) {
      try {
        (listener as (value: ClientEventMap[K]) => void)(value);
      } catch (error) {
        // a listener's bug must not break the stream for every other consumer
        console.error(`@alma/client: a "${type}" listener threw`, error);
      }
    }
  }
}

function isRunEvent(frame: ServerFrame): frame is RunEvent {
  return frame.type.startsWith("run.");
}

function asClientError(error: unknown): AlmaClientError {
  return error instanceof AlmaClientError ? error : new AlmaClientError({ code: "connection_failed", message: describe(error), cause: error });
}

/** "Cannot connect…" reads on after a colon as "cannot connect…"; "ALMA_AUTH_TOKEN…" stays as it is. */
function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  return "";
}
