import { PROTOCOL_VERSION, type ClientFrameInput, type ServerFrame } from "@alma/protocol";
import type { AlmaClientError } from "./alma-client-error.js";
import type { WelcomeFrame } from "./connection-state.js";
import { errorOfFrame } from "./describe-error.js";

/** The `hello` waiting for its answer on the current socket. */
export interface Handshake {
  resolve: (welcome: WelcomeFrame) => void;
  reject: (error: AlmaClientError) => void;
}

export function helloFrame(clientName: string, token: string | undefined): ClientFrameInput {
  const hello: ClientFrameInput = { type: "hello", protocolVersion: PROTOCOL_VERSION, client: clientName };
  if (token !== undefined) hello.token = token;
  return hello;
}

/** What a frame received during the handshake says of it: the welcome, a refused hello, or nothing (another frame). */
export function handshakeAnswer(frame: ServerFrame): { welcome: WelcomeFrame } | { refused: AlmaClientError } | null {
  if (frame.type === "welcome") return { welcome: frame };
  if (frame.type === "error" && frame.requestId === undefined && (frame.frameType === undefined || frame.frameType === "hello")) {
    return { refused: errorOfFrame(frame) };
  }
  return null;
}
