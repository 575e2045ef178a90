import type { AppConfig } from "../config.js";
import type { RunServices } from "../runs/run-services.js";
import type { RunSource } from "../runs/run-source.js";
import type { ConversationRunLocks } from "../cluster/conversation-run-locks.js";
import type { RateLimiter } from "../limits/rate-limiter.js";
import type { ConversationChangeFeed } from "./conversation-change-feed.js";
import { ConversationOperations } from "./conversation-operations.js";
import { KeyedLock } from "./keyed-lock.js";
import { PinOperations } from "./pin-operations.js";
import { RunAdmission } from "./run-admission.js";
import { RunOperations } from "./run-operations.js";
import { RunStarter } from "./run-starter.js";

export interface ChatServiceDeps extends RunServices {
  config: AppConfig;
  /** runs by id wherever they run (this server, or another instance with Redis) */
  runs: RunSource;
  /** conversation changes for every tab on every instance */
  changes: ConversationChangeFeed;
  /** messages per minute per address (shared by the instances with Redis) */
  messageLimiter: RateLimiter;
  /** one run per conversation across the instances (Redis); null in-process */
  conversationLocks: ConversationRunLocks | null;
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
    this.runs = new RunOperations({
      store: deps.store,
      hub: deps.hub,
      runs: deps.runs,
      admission: this.admission,
      starter: this.starter,
      changes: deps.changes,
      locks,
      conversationLocks: deps.conversationLocks,
    });
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
