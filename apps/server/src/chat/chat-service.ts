import type { AppConfig } from "../config.js";
import type { RunServices } from "../runs/run-services.js";
import type { Broadcast } from "./chat-client.js";
import { ConversationOperations } from "./conversation-operations.js";
import { KeyedLock } from "./keyed-lock.js";
import { PinOperations } from "./pin-operations.js";
import { RunAdmission } from "./run-admission.js";
import { RunOperations } from "./run-operations.js";
import { RunStarter } from "./run-starter.js";

export interface ChatServiceDeps extends RunServices {
  config: AppConfig;
  /** the one broadcast: conversation updates for every tab, a new message for the conversation's other followers */
  broadcast: Broadcast;
}

/**
 * The chat operations behind the WebSocket frames, as one object for the connection to dispatch to: runs
 * (admitted, then started), conversations and pinned facts.
 */
export class ChatService {
  readonly runs: RunOperations;
  readonly conversations: ConversationOperations;
  readonly pins: PinOperations;
  private readonly admission: RunAdmission;
  private readonly starter: RunStarter;

  constructor(deps: ChatServiceDeps) {
    this.admission = new RunAdmission(deps);
    this.starter = new RunStarter(deps);
    const locks = new KeyedLock();
    this.runs = new RunOperations({ store: deps.store, hub: deps.hub, admission: this.admission, starter: this.starter, broadcast: deps.broadcast, locks });
    this.conversations = new ConversationOperations({ ...deps, locks });
    this.pins = new PinOperations(deps);
  }

  /** graceful shutdown: refuse new runs from now on */
  stopAccepting(): void {
    this.admission.stopAccepting();
  }

  /** resolves when every started run has stored its final message */
  settled(): Promise<void> {
    return this.starter.settled();
  }
}
