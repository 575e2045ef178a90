import type { ServerFrame } from "@alma/protocol";
import type { RunSubscriber } from "../runs/run-subscriber.js";

/** One connected client as the chat service sees it: it receives frames and can watch runs. */
export interface ChatClient extends RunSubscriber {
  readonly id: string;
  /** the address limits are counted against */
  readonly address: string;
  send(frame: ServerFrame): void;
}

/** Sends a frame to every handshaken client, or to those `to` picks (the one broadcast: ws/client-registry.ts). */
export type Broadcast = (frame: ServerFrame, to?: (client: ChatClient) => boolean) => void;
