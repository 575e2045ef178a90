import { PROTOCOL_VERSION, backoffDelay, parseServerFrame, type BackoffOptions, type ClientFrame, type ClientFrameInput } from "@alma/protocol";
import { AlmaClientError } from "./alma-client-error.js";
import type { InvalidFrameEvent, ReceivedFrame } from "./client-events.js";
import type { ConnectionState, WelcomeFrame } from "./connection-state.js";
import { asClientError, describeError, errorOfFrame } from "./describe-error.js";
import { WEBSOCKET_OPEN, type WebSocketConstructor, type WebSocketLike } from "./websocket-like.js";

export interface ClientSocketOptions {
  WebSocket: WebSocketConstructor | undefined;
  /** null: a dropped connection is not retried */
  backoff: BackoffOptions | null;
  handshakeTimeoutMs: number;
  /** when the server has sent nothing for this long, send a ping; after twice this long, count the connection as lost. 0: off */
  heartbeatMs: number;
  clientName: string;
  random: () => number;
  now: () => number;
}

/** What the socket tells its owner. */
export interface ClientSocketEvents {
  state(state: ConnectionState): void;
  /** the handshake completed (the first connect or a reconnect): what waited can be written now */
  open(welcome: WelcomeFrame): void;
  /** the connection dropped; reconnect attempts follow, or `closed` when reconnecting is off */
  lost(error: AlmaClientError): void;
  /** closed for good: close(), a fatal handshake error, or the attempts ran out */
  closed(error: AlmaClientError | null): void;
  /** a valid frame; `handshake` is true for the welcome or a refused hello, which are only reported */
  frame(received: ReceivedFrame, handshake: boolean): void;
  invalid(event: InvalidFrameEvent): void;
}

interface Handshake {
  resolve: (welcome: WelcomeFrame) => void;
  reject: (error: AlmaClientError) => void;
}

const FATAL_HANDSHAKE_CODES = new Set(["unsupported_version", "unauthorized"]);

/**
 * One logical connection to the server over successive WebSockets: the `hello` handshake, the heartbeat, and
 * the reconnect loop with backoff. It knows nothing of runs or requests; its owner hears of every state change.
 */
export class ClientSocket {
  private url = "";
  private token: string | undefined;
  private socket: WebSocketLike | null = null;
  /** bumps when a socket is abandoned, so its late events are ignored */
  private generation = 0;
  private current: ConnectionState = { status: "idle" };
  private userClosed = false;
  private handshake: Handshake | null = null;
  private cancelSleep: (() => void) | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private lastHeardAt = 0;

  constructor(
    private readonly o: ClientSocketOptions,
    private readonly events: ClientSocketEvents,
  ) {}

  get state(): ConnectionState {
    return this.current;
  }

  get serverUrl(): string {
    return this.url;
  }

  /** Opens and handshakes; with `retry`, a failed first attempt is retried like a dropped connection. */
  async connect(url: string, options: { token?: string; retry?: boolean } = {}): Promise<WelcomeFrame> {
    if (this.current.status !== "idle" && this.current.status !== "closed") {
      throw new AlmaClientError({ code: "invalid_input", message: "The client is already connected; call close() before connecting again." });
    }
    this.url = url;
    this.token = options.token;
    this.userClosed = false;
    this.setState({ status: "connecting", attempt: 0 });
    let failure: AlmaClientError;
    try {
      const welcome = await this.openSocket();
      this.opened(welcome);
      return welcome;
    } catch (error) {
      failure = asClientError(error);
    }
    // close() while connecting has already closed the client
    if (this.userClosed) throw failure;
    if (options.retry && this.o.backoff && !FATAL_HANDSHAKE_CODES.has(failure.code)) {
      const outcome = await this.reconnectLoop(failure.message, this.o.backoff);
      if (outcome instanceof AlmaClientError) throw outcome;
      return outcome;
    }
    this.finish(failure);
    throw failure;
  }

  /** Closes for good: no reconnect. */
  close(): void {
    this.userClosed = true;
    this.cancelSleep?.();
    this.stopHeartbeat();
    const socket = this.socket;
    this.socket = null;
    this.generation++;
    if (this.handshake) {
      this.handshake.reject(new AlmaClientError({ code: "connection_closed", message: "The client was closed while connecting." }));
      this.handshake = null;
    }
    socket?.close(1000, "client closed");
    if (this.current.status !== "closed") this.finish(null);
  }

  /** Writes a frame when the connection is open; false when it is not (the caller queues it). */
  write(frame: ClientFrame | ClientFrameInput): boolean {
    if (this.current.status !== "open" || !this.socket || this.socket.readyState !== WEBSOCKET_OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    this.events.state(state);
  }

  private opened(welcome: WelcomeFrame): void {
    this.setState({ status: "open", welcome });
    this.startHeartbeat();
    this.events.open(welcome);
  }

  private finish(error: AlmaClientError | null): void {
    this.stopHeartbeat();
    this.setState({ status: "closed", error });
    this.events.closed(error);
  }

  private openSocket(): Promise<WelcomeFrame> {
    const Impl = this.o.WebSocket;
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
        new AlmaClientError({ code: "connection_failed", message: `Cannot open a WebSocket to ${this.url}: ${describeError(error)}`, cause: error }),
      );
    }
    this.socket = socket;
    return new Promise<WelcomeFrame>((resolve, reject) => {
      let lastError: string | null = null;
      const stale = () => generation !== this.generation;
      const timer = setTimeout(() => {
        this.handshake?.reject(
          new AlmaClientError({ code: "handshake_timeout", message: `The server at ${this.url} did not answer the handshake within ${this.o.handshakeTimeoutMs} ms.`, retryable: true }),
        );
      }, this.o.handshakeTimeoutMs);
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
        const hello: ClientFrameInput = { type: "hello", protocolVersion: PROTOCOL_VERSION, client: this.o.clientName };
        if (this.token !== undefined) hello.token = this.token;
        socket.send(JSON.stringify(hello));
      });
      socket.addEventListener("message", (event) => {
        if (!stale()) this.onData(event.data);
      });
      socket.addEventListener("error", (event) => {
        lastError = event.message || describeError(event.error) || lastError;
      });
      socket.addEventListener("close", (event) => {
        if (stale()) return;
        this.socket = null;
        const why = lastError ?? `the socket closed (code ${event.code}${event.reason ? `: ${event.reason}` : ""})`;
        if (this.handshake) {
          this.handshake.reject(new AlmaClientError({ code: "connection_failed", message: `Cannot connect to ${this.url}: ${why}`, retryable: true }));
        } else {
          this.connectionLost(why);
        }
      });
    });
  }

  private onData(data: unknown): void {
    const receivedAt = this.o.now();
    this.lastHeardAt = receivedAt;
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
        this.events.frame(received, true);
        this.handshake.resolve(frame);
        return;
      }
      if (frame.type === "error" && frame.requestId === undefined && (frame.frameType === undefined || frame.frameType === "hello")) {
        this.events.frame(received, true);
        this.handshake.reject(errorOfFrame(frame));
        return;
      }
    }
    this.events.frame(received, false);
  }

  private reportInvalid(event: InvalidFrameEvent): void {
    if (this.handshake) {
      this.handshake.reject(new AlmaClientError({ code: "invalid_server_frame", message: `The server at ${this.url} answered the handshake with ${event.reason}.` }));
    }
    this.events.invalid(event);
  }

  private connectionLost(why: string): void {
    this.stopHeartbeat();
    if (this.userClosed) return;
    const lost = new AlmaClientError({ code: "connection_lost", message: `The connection to ${this.url} was lost: ${why}`, retryable: true });
    this.events.lost(lost);
    if (!this.o.backoff) {
      this.finish(lost);
      return;
    }
    void this.reconnectLoop(why, this.o.backoff);
  }

  /** Tries again with backoff until open (the welcome), or until it gives up for good (the error; the client is closed then). */
  private async reconnectLoop(firstError: string, backoff: BackoffOptions): Promise<WelcomeFrame | AlmaClientError> {
    const closed = () => new AlmaClientError({ code: "connection_closed", message: "The client was closed before the connection was back." });
    let lastError: string = firstError;
    for (let attempt = 1; ; attempt++) {
      if (this.userClosed) return closed();
      if (attempt > backoff.maxAttempts) {
        const failure = new AlmaClientError({ code: "connection_lost", message: `Gave up connecting to ${this.url} after ${backoff.maxAttempts} attempts: ${lastError}`, retryable: true });
        this.finish(failure);
        return failure;
      }
      const delayMs = backoffDelay(attempt, backoff, this.o.random);
      this.setState({ status: "reconnecting", attempt, delayMs, nextAttemptAt: this.o.now() + delayMs, lastError });
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
        this.opened(welcome);
        return welcome;
      } catch (error) {
        if (this.userClosed) return closed();
        const failure = asClientError(error);
        if (FATAL_HANDSHAKE_CODES.has(failure.code)) {
          this.finish(failure);
          return failure;
        }
        lastError = failure.message;
      }
    }
  }

  /** A socket can stay "open" over a dead network for minutes: ping when the server is quiet, give up when it stays so. */
  private startHeartbeat(): void {
    this.stopHeartbeat();
    const every = this.o.heartbeatMs;
    if (!(every > 0)) return;
    this.lastHeardAt = this.o.now();
    this.heartbeat = setInterval(() => {
      const quietMs = this.o.now() - this.lastHeardAt;
      if (quietMs >= 2 * every) this.abandon(`the server sent nothing for ${Math.round(quietMs)} ms, not even a pong`);
      else if (quietMs >= every) this.write({ type: "ping", at: this.o.now() });
    }, every);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  /** Drops the current socket without waiting for its close event (which a dead network may never deliver). */
  private abandon(why: string): void {
    const socket = this.socket;
    if (!socket) return;
    this.generation++;
    this.socket = null;
    socket.close(4000, "heartbeat timeout");
    this.connectionLost(why);
  }
}
