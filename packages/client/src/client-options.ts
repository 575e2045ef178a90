import type { BackoffOptions, RunOptions } from "@alma/protocol";
import type { WebSocketConstructor } from "./websocket-like.js";

export interface AlmaClientOptions {
  /** WebSocket implementation; defaults to globalThis.WebSocket (pass `ws`'s WebSocket in Node) */
  WebSocket?: WebSocketConstructor;
  /** reconnect after a dropped connection; `false` turns it off (the CLI) */
  reconnect?: Partial<BackoffOptions> | false;
  handshakeTimeoutMs?: number;
  requestTimeoutMs?: number;
  /**
   * when the server has sent nothing for this long, send a `ping`; when it stays silent for twice as long, count
   * the connection as lost (and reconnect). Finds a network that died without closing the socket. Default 0: off.
   */
  heartbeatMs?: number;
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

export interface SendOptions {
  /** null or omitted starts a new conversation */
  conversationId?: string | null;
  options?: Partial<RunOptions>;
  /** reuse an id to resend a message the server may already have */
  clientMessageId?: string;
  /** files uploaded to the conversation (POST /api/conversations/:id/attachments) that this message sends; at most 10 */
  attachmentIds?: readonly string[];
}

export type { PinTarget } from "./conversation-requests.js";
