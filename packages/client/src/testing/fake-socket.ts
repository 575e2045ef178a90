import type { ClientFrame, ServerFrame } from "@alma/protocol";
import { WEBSOCKET_OPEN, type WebSocketConstructor, type WebSocketLike } from "../websocket-like.js";
import { welcomeFrame } from "./frame-factory.js";

const CLOSED = 3;

/**
 * A WebSocket the test drives by hand, with no network: it opens, answers the handshake, replies or drops
 * exactly when told, so "sent while connecting" or "dropped after event 7" is a state the test holds.
 */
export class FakeSocket implements WebSocketLike {
  readyState = 0;
  /** every frame the client wrote, parsed, hello included */
  readonly sent: ClientFrame[] = [];
  /** how the client closed it, if it did */
  closedWith: { code: number; reason: string } | null = null;
  private readonly listeners = new Map<string, Array<(event: never) => void>>();

  constructor(
    readonly url: string,
    private readonly onSend: (frame: ClientFrame, socket: FakeSocket) => void = () => undefined,
  ) {}

  send(data: string): void {
    if (this.readyState !== WEBSOCKET_OPEN) throw new Error("send on a socket that is not open");
    const frame = JSON.parse(data) as ClientFrame;
    this.sent.push(frame);
    this.onSend(frame, this);
  }

  close(code = 1000, reason = ""): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.closedWith = { code, reason };
    this.fire("close", { code, reason });
  }

  addEventListener(type: string, listener: (event: never) => void): void {
    const list = this.listeners.get(type) ?? [];
    list.push(listener);
    this.listeners.set(type, list);
  }

  /** the TCP connection is up: the client sends hello */
  open(): void {
    this.readyState = WEBSOCKET_OPEN;
    this.fire("open", {});
  }

  /** the server's welcome: the handshake completes */
  welcome(): void {
    this.reply(welcomeFrame());
  }

  /** a frame from the server (nothing arrives on a socket that is closed) */
  reply(frame: ServerFrame | object | string): void {
    if (this.readyState !== WEBSOCKET_OPEN) return;
    this.fire("message", { data: typeof frame === "string" ? frame : JSON.stringify(frame) });
  }

  /** the connection fails, as when nothing listens or the network drops */
  fail(): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.fire("error", { message: "connect ECONNREFUSED" });
    this.fire("close", { code: 1006, reason: "" });
  }

  /** the frames after the handshake */
  get frames(): ClientFrame[] {
    return this.sent.filter((f) => f.type !== "hello");
  }

  private fire(type: string, event: unknown): void {
    for (const listener of this.listeners.get(type) ?? []) (listener as (e: unknown) => void)(event);
  }
}

export interface FakeSocketsOptions {
  /**
   * play the server: open each socket and answer its hello with a welcome, then hand each later frame to
   * `onFrame`, every step in a later microtask (as a network would, never inside the client's own write)
   */
  serve?: (frame: ClientFrame, socket: FakeSocket) => void;
  /** every frame the client writes, hello included, synchronously as it writes it */
  onWrite?: (frame: ClientFrame, socket: FakeSocket) => void;
}

export interface FakeSockets {
  /** pass as the client's `WebSocket` option */
  readonly WebSocket: WebSocketConstructor;
  /** every socket the client opened, oldest first */
  readonly all: FakeSocket[];
  last(): FakeSocket;
}

/** A WebSocket constructor whose sockets are FakeSockets, kept in `all`. */
export function fakeSockets(options: FakeSocketsOptions = {}): FakeSockets {
  const all: FakeSocket[] = [];
  const serve = options.serve;
  const onSend = (frame: ClientFrame, socket: FakeSocket) => {
    options.onWrite?.(frame, socket);
    if (!serve) return;
    if (frame.type === "hello") queueMicrotask(() => socket.welcome());
    else queueMicrotask(() => serve(frame, socket));
  };
  class Socket extends FakeSocket {
    constructor(url: string) {
      super(url, onSend);
      all.push(this);
      if (serve) queueMicrotask(() => this.readyState === 0 && this.open());
    }
  }
  return {
    WebSocket: Socket,
    all,
    last() {
      const socket = all.at(-1);
      if (!socket) throw new Error("no socket was opened");
      return socket;
    },
  };
}
