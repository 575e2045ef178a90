import { defaultBackoffOptions, type BackoffOptions } from "@alma/protocol";
import type { AlmaClientError } from "./alma-client-error.js";
import type { InvalidFrameEvent, ReceivedFrame } from "./client-events.js";
import type { AlmaClientOptions } from "./client-options.js";
import type { ConnectionState, WelcomeFrame } from "./connection-state.js";
import type { WebSocketConstructor } from "./websocket-like.js";

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

/** The socket's part of the client's options, with their defaults. */
export function socketOptionsOf(options: AlmaClientOptions): ClientSocketOptions {
  return {
    WebSocket: options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket,
    backoff: options.reconnect === false ? null : { ...defaultBackoffOptions, ...options.reconnect },
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
    heartbeatMs: options.heartbeatMs ?? 0,
    clientName: options.clientName ?? "@alma/client",
    random: options.random ?? Math.random,
    now: options.now ?? Date.now,
  };
}
