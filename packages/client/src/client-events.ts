import type { FrameIssue, ServerFrame, ServerFrameOf, ServerFrameType } from "@alma/protocol";
import type { ConnectionState } from "./connection-state.js";
import type { RunHandle } from "./run-handle.js";

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
  /**
   * a run handle the client now follows, once its run id is known: one this app started (send, edit,
   * regenerate, continue, resume) or one it did not (another tab's run in a conversation this socket follows).
   * Fires once per handle, before the handle gets its first event.
   */
  run: RunHandle;
};
export type ClientEventType = keyof ClientEventMap;
