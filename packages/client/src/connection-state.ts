import type { ServerFrameOf } from "@alma/protocol";
import type { AlmaClientError } from "./alma-client-error.js";

export type WelcomeFrame = ServerFrameOf<"welcome">;

/** What the UI shows about the connection; `attempt` counts reconnects in a row (0 for the first connect). */
export type ConnectionState =
  | { status: "idle" }
  | { status: "connecting"; attempt: number }
  | { status: "open"; welcome: WelcomeFrame }
  | { status: "reconnecting"; attempt: number; delayMs: number; nextAttemptAt: number; lastError: string | null }
  | { status: "closed"; error: AlmaClientError | null };
