import { AlmaClientError } from "./alma-client-error.js";
import type { ConnectionState } from "./connection-state.js";

/** Why nothing can be sent in this state (idle, or closed for good), or null: open, or queued until it is. */
export function refusalOf(state: ConnectionState, url: string): AlmaClientError | null {
  if (state.status === "idle") {
    return new AlmaClientError({ code: "not_connected", message: "The client is not connected; call connect(url) first." });
  }
  if (state.status !== "closed") return null;
  return new AlmaClientError({
    code: "not_connected",
    message: state.error
      ? `Not sent: the connection to ${url} failed for good (${state.error.message.replace(/\.$/, "")}). Connect again to send.`
      : "Not sent: the client was closed. Connect again to send.",
    cause: state.error ?? undefined,
  });
}
