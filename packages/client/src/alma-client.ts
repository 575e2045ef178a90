import type { ClientFrame, ClientFrameInput, RunEvent, RunOptions, RunState, ServerFrame, ServerFrameOf, ServerFrameType } from "@alma/protocol";
import { AlmaClientError } from "./alma-client-error.js";
import type { ClientEventMap, ClientEventType, ReceivedFrame } from "./client-events.js";
import type { AlmaClientOptions, ConnectOptions, SendOptions } from "./client-options.js";
import { ClientSocket } from "./client-socket.js";
import { ConversationRequests } from "./conversation-requests.js";
import { socketOptionsOf } from "./client-socket-options.js";
import type { ConnectionState, WelcomeFrame } from "./connection-state.js";
import { createId } from "./create-id.js";
import { EventListeners } from "./event-listeners.js";
import { RequestRegistry } from "./request-registry.js";
import { RunFollower } from "./run-follower.js";
import { RunHandle } from "./run-handle.js";
import { refusalOf } from "./refusal-of.js";
import { validateClientFrame } from "./validate-client-frame.js";

export type { ClientEventMap, ClientEventType, InvalidFrameEvent, ReceivedFrame } from "./client-events.js";
export type { AlmaClientOptions, ConnectOptions, PinTarget, SendOptions } from "./client-options.js";

/**
 * A typed client of the alma WebSocket protocol, a thin facade over its parts: the socket (handshake, heartbeat,
 * reconnect with backoff), the request registry (what waits for an answer, matched by the ids the server echoes)
 * and the run follower (every run in order, once, across reconnects). What is sent while connecting is queued and
 * goes out, in order, once the connection is open.
 */
export class AlmaClient extends ConversationRequests {
  private readonly socket: ClientSocket;
  private readonly registry: RequestRegistry;
  private readonly follower: RunFollower;
  private readonly listeners = new EventListeners<ClientEventMap>();
  /** fire-and-forget frames (stop, metrics) asked for while not open */
  private readonly outbox: ClientFrame[] = [];
  private readonly newId: () => string;
  private metricsEnabled = false;

  constructor(options: AlmaClientOptions = {}) {
    super();
    this.newId = options.createId ?? createId;
    this.socket = new ClientSocket(socketOptionsOf(options), {
      state: (state) => this.listeners.emit("state", state),
      open: () => this.onOpen(),
      lost: (error) => this.registry.connectionLost(error),
      closed: (error) => this.onClosed(error),
      frame: (received, handshake) => (handshake ? this.emitFrame(received) : this.onFrame(received)),
      invalid: (event) => this.listeners.emit("frame.invalid", event),
    });
    this.registry = new RequestRegistry((frame) => this.socket.write(frame), options.requestTimeoutMs ?? 30_000);
    this.follower = new RunFollower(
      {
        resume: (runId, afterIndex) => this.registry.resume(runId, afterIndex),
        resumeAnswered: (runId) => this.registry.resumeAnswered(runId),
        claimStarted: (conversationId) => this.registry.claimStarted(conversationId),
        mayOwn: (conversationId) => this.registry.mayOwn(conversationId),
        createHandle: () => this.newHandle(null),
        announce: (handle) => this.listeners.emit("run", handle),
        emitFrame: (received) => this.emitFrame(received),
      },
      options.maxEarlyRunEvents,
    );
  }

  get state(): ConnectionState {
    return this.socket.state;
  }

  /** the welcome frame of the current connection, when open */
  get welcome(): WelcomeFrame | null {
    const state = this.socket.state;
    return state.status === "open" ? state.welcome : null;
  }

  /** Listens to a server frame type (or `state`, `frame`, `frame.invalid`, `run`); returns the unsubscribe function. */
  on<K extends ClientEventType>(type: K, listener: (value: ClientEventMap[K]) => void): () => void {
    return this.listeners.on(type, listener);
  }

  /**
   * Opens the socket and does the `hello` handshake; resolves with the server's `welcome`. Messages, runs and
   * requests started while it connects are queued and go out, in order, once the connection is open.
   */
  connect(url: string, options: ConnectOptions = {}): Promise<WelcomeFrame> {
    return this.socket.connect(url, options);
  }

  /** Closes the connection for good: no reconnect; runs and requests still pending fail with `connection_closed`. */
  close(): void {
    this.socket.close();
  }

  /** Sends a message; the handle follows the run it starts. Throws `invalid_input` for a message the protocol refuses. */
  send(content: string, options: SendOptions = {}): RunHandle {
    const clientMessageId = options.clientMessageId ?? this.newId();
    const frame = validateClientFrame({
      type: "message.send",
      clientMessageId,
      conversationId: options.conversationId ?? null,
      content,
      options: options.options,
      attachmentIds: options.attachmentIds ? [...options.attachmentIds] : undefined,
    });
    return this.startAcknowledged(frame, clientMessageId);
  }

  /** Replaces a user message (every later message is removed) and runs again from there. */
  edit(conversationId: string, messageId: string, content: string, options: Omit<SendOptions, "conversationId" | "attachmentIds"> = {}): RunHandle {
    const clientMessageId = options.clientMessageId ?? this.newId();
    const frame = validateClientFrame({ type: "message.edit", clientMessageId, conversationId, messageId, content, options: options.options });
    return this.startAcknowledged(frame, clientMessageId);
  }

  /** Regenerates the conversation's last answer. */
  regenerate(conversationId: string, options?: Partial<RunOptions>): RunHandle {
    return this.startRunRequest("run.regenerate", conversationId, validateClientFrame({ type: "run.regenerate", conversationId, options }));
  }

  /** Continues a partial (stopped, failed or interrupted) answer. */
  continue(conversationId: string, messageId: string): RunHandle {
    return this.startRunRequest("run.continue", conversationId, validateClientFrame({ type: "run.continue", conversationId, messageId }));
  }

  /**
   * Follows a run that is already going (after a reload, or from another tab), from the event after `afterIndex`.
   * `seed` is the run's state at afterIndex (history's `activeRun.state`): the handle's state starts from it and
   * folds only the events after. Without it the state starts empty at afterIndex. A run already followed keeps its handle.
   */
  resume(runId: string, afterIndex = -1, seed?: RunState): RunHandle {
    validateClientFrame({ type: "run.resume", runId, afterIndex });
    if (seed !== undefined && (seed.runId !== runId || seed.lastIndex !== afterIndex)) {
      throw new AlmaClientError({
        code: "invalid_input",
        message: `Cannot resume run ${runId} after event ${afterIndex} from the state of run ${seed.runId} at event ${seed.lastIndex}.`,
      });
    }
    const existing = this.follower.liveHandle(runId);
    if (existing) return existing;
    const handle = this.newHandle(null);
    this.follower.follow(runId, handle, afterIndex, seed);
    return handle;
  }

  /** Stops a run; the server aborts the model request and keeps the partial answer. */
  stop(runId: string): void {
    this.writeOrQueue(validateClientFrame({ type: "run.stop", runId }));
  }

  /** Turns the server's live metrics frames (`metrics.server`) on or off; kept across reconnects. */
  subscribeMetrics(enabled = true): void {
    this.metricsEnabled = enabled;
    this.writeOrQueue(validateClientFrame({ type: "metrics.subscribe", enabled }));
  }

  // ---- the parts' events ----------------------------------------------------------------------------

  private onOpen(): void {
    this.registry.resendSends();
    this.follower.resumeAll();
    this.registry.writeUnsent();
    if (this.metricsEnabled) this.socket.write({ type: "metrics.subscribe", enabled: true });
    for (const frame of this.outbox.splice(0)) this.socket.write(frame);
  }

  private onClosed(error: AlmaClientError | null): void {
    const reason = error ?? new AlmaClientError({ code: "connection_closed", message: "The client was closed." });
    this.registry.shutdown(reason);
    this.follower.failAll(reason);
    this.outbox.length = 0;
    this.metricsEnabled = false;
  }

  private onFrame(received: ReceivedFrame): void {
    const frame = received.frame;
    if (isRunEvent(frame)) {
      this.follower.onEvent(frame, received);
      return;
    }
    this.emitFrame(received);
    switch (frame.type) {
      case "message.accepted": {
        const handle = this.registry.takeAccepted(frame.clientMessageId);
        if (handle) this.follower.acknowledged(frame, handle);
        this.follower.adoptOrphans();
        break;
      }
      case "error": {
        const route = this.registry.routeError(frame);
        if (route.to === "run") this.follower.refused(route.runId, route.error);
        else if (route.to === "fell_behind") this.follower.fellBehind(route.runId);
        // a send that failed may have been the only one that could own a held run: that run is another tab's
        this.follower.adoptOrphans();
        break;
      }
      default:
        if ("requestId" in frame && frame.requestId !== undefined) this.registry.settle(frame.requestId, frame);
    }
  }

  private emitFrame(received: ReceivedFrame): void {
    this.listeners.emit("frame", received);
    this.listeners.emit(received.frame.type, received.frame as never);
  }

  // ---- outgoing -------------------------------------------------------------------------------------

  private newHandle(clientMessageId: string | null): RunHandle {
    return new RunHandle((runId) => this.stop(runId), clientMessageId);
  }

  private startAcknowledged(frame: ClientFrame, clientMessageId: string): RunHandle {
    this.assertUsable();
    const handle = this.newHandle(clientMessageId);
    this.registry.addSend(frame as Extract<ClientFrame, { type: "message.send" | "message.edit" }>, handle);
    return handle;
  }

  private startRunRequest(kind: "run.regenerate" | "run.continue", conversationId: string, frame: ClientFrame): RunHandle {
    this.assertUsable();
    const handle = this.newHandle(null);
    this.registry.addRun(kind, conversationId, frame, handle);
    return handle;
  }

  protected request<T extends ServerFrameType>(input: ClientFrameInput, expect: readonly T[]): Promise<ServerFrameOf<T>> {
    let frame: ClientFrame;
    try {
      frame = validateClientFrame({ ...input, requestId: this.newId() } as ClientFrameInput);
      this.assertUsable();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.registry.request(frame, expect);
  }

  /** While connecting or reconnecting the client queues what it is asked to send; idle or closed for good, it refuses. */
  private assertUsable(): void {
    const refusal = refusalOf(this.socket.state, this.socket.serverUrl);
    if (refusal) throw refusal;
  }

  private writeOrQueue(frame: ClientFrame): void {
    if (this.socket.write(frame)) return;
    this.assertUsable();
    this.outbox.push(frame);
  }
}

function isRunEvent(frame: ServerFrame): frame is RunEvent {
  return frame.type.startsWith("run.");
}
