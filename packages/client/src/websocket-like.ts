/**
 * The part of the WebSocket API the client uses. Both the browser's WebSocket and the `ws` package
 * satisfy it, so the client never imports `ws` and bundles for the browser.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open", listener: (event: unknown) => void): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "close", listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: "error", listener: (event: { message?: string; error?: unknown }) => void): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** readyState value of an open socket (the same in browsers and `ws`) */
export const WEBSOCKET_OPEN = 1;
