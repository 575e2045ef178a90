import type { WebSocketConstructor } from "@alma/client";

export interface CliOutput {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** Everything the CLI touches outside itself, so tests run it in-process. */
export interface CliIo {
  stdin: AsyncIterable<string | Uint8Array> & { isTTY?: boolean };
  stdout: CliOutput;
  stderr: CliOutput;
  env: Record<string, string | undefined>;
  /** defaults to the `ws` package's WebSocket */
  WebSocket?: WebSocketConstructor;
  now?: () => number;
  /** defaults to the global fetch (export talks HTTP) */
  fetch?: typeof fetch;
  /** aborted on Ctrl-C: a running ask stops its run (the partial answer is kept) and exits 130 */
  signal?: AbortSignal;
}

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;
export const EXIT_UNREACHABLE = 3;
export const EXIT_INTERRUPTED = 130;
