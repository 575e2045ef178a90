import type { BackoffOptions, ClientFrame, ClientFrameInput } from "@alma/protocol";
import { AlmaClientError } from "./alma-client-error.js";
import type { InvalidFrameEvent } from "./client-events.js";
import type { ClientSocketEvents, ClientSocketOptions } from "./client-socket-options.js";
import type { ConnectionState, WelcomeFrame } from "./connection-state.js";
import { asClientError, describeError } from "./describe-error.js";
import { handshakeAnswer, helloFrame, type Handshake } from "./handshake.js";
import { Heartbeat } from "./heartbeat.js";
import { originRefusalOf } from "./origin-refusal.js";
import { readServerData } from "./read-server-data.js";
import { FATAL_HANDSHAKE_CODES, reconnectLoop } from "./reconnect-loop.js";
import { WEBSOCKET_OPEN, type WebSocketLike } from "./websocket-like.js";

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
  private readonly heartbeat: Heartbeat;

  constructor(
    private readonly o: ClientSocketOptions,
    private readonly events: ClientSocketEvents,
  ) {
    this.heartbeat = new Heartbeat(o.heartbeatMs, o.now);
  }

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
      const outcome = await this.reconnect(failure.message, this.o.backoff);
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
    this.heartbeat.stop();
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
    this.heartbeat.start(
      () => this.write({ type: "ping", at: this.o.now() }),
      (quietMs) => this.abandon(`the server sent nothing for ${Math.round(quietMs)} ms, not even a pong`),
    );
    this.events.open(welcome);
  }

  private finish(error: AlmaClientError | null): void {
    this.heartbeat.stop();
    this.setState({ status: "closed", error });
    this.events.closed(error);
  }

  private openSocket(): Promise<WelcomeFrame> {
    const Impl = this.o.WebSocket;
    if (!Impl) {
      return Promise.reject(
        new AlmaClientError({
          code: "connection_failed",
          message: "No WebSocket implementation: pass the `ws` package's WebSocket as the `WebSocket` option.",
        }),
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
          new AlmaClientError({
            code: "handshake_timeout",
            message: `The server at ${this.url} did not answer the handshake within ${this.o.handshakeTimeoutMs} ms.`,
            retryable: true,
          }),
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
        socket.send(JSON.stringify(helloFrame(this.o.clientName, this.token)));
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
          // a refused origin stays refused: fatal, so the client stops instead of retrying in a loop
          const refused = originRefusalOf(event, this.url);
          this.handshake.reject(
            refused ?? new AlmaClientError({ code: "connection_failed", message: `Cannot connect to ${this.url}: ${why}`, retryable: true }),
          );
        } else {
          this.connectionLost(why);
        }
      });
    });
  }

  private onData(data: unknown): void {
    this.heartbeat.heard();
    const read = readServerData(data, this.o.now());
    if (!read.ok) {
      this.reportInvalid(read.invalid);
      return;
    }
    const received = read.received;
    const answer = this.handshake ? handshakeAnswer(received.frame) : null;
    if (answer) {
      this.events.frame(received, true);
      if ("welcome" in answer) this.handshake?.resolve(answer.welcome);
      else this.handshake?.reject(answer.refused);
      return;
    }
    this.events.frame(received, false);
  }

  private reportInvalid(event: InvalidFrameEvent): void {
    if (this.handshake) {
      this.handshake.reject(
        new AlmaClientError({ code: "invalid_server_frame", message: `The server at ${this.url} answered the handshake with ${event.reason}.` }),
      );
    }
    this.events.invalid(event);
  }

  private connectionLost(why: string): void {
    this.heartbeat.stop();
    if (this.userClosed) return;
    const lost = new AlmaClientError({ code: "connection_lost", message: `The connection to ${this.url} was lost: ${why}`, retryable: true });
    this.events.lost(lost);
    if (!this.o.backoff) {
      this.finish(lost);
      return;
    }
    void this.reconnect(why, this.o.backoff);
  }

  /** Tries again with backoff until open (the welcome), or until it gives up for good (the error; the client is closed then). */
  private async reconnect(firstError: string, backoff: BackoffOptions): Promise<WelcomeFrame | AlmaClientError> {
    const outcome = await reconnectLoop(backoff, firstError, {
      url: this.url,
      closed: () => this.userClosed,
      setState: (state) => this.setState(state),
      attempt: () => this.openSocket(),
      sleep: (ms) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          this.cancelSleep = () => {
            clearTimeout(timer);
            resolve();
          };
        }).finally(() => (this.cancelSleep = null)),
      random: this.o.random,
      now: this.o.now,
    });
    if (outcome.ok) {
      this.opened(outcome.welcome);
      return outcome.welcome;
    }
    if (outcome.finish) this.finish(outcome.error);
    return outcome.error;
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
