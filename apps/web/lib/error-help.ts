import type { MessageError } from "./chat-state";

export type ErrorAction = "retry" | "continue" | "check-key" | "wait-model" | "shorten" | "reconnect" | "none";

export interface ErrorHelp {
  title: string;
  action: ErrorAction;
  /** what to do, in words, added to the server's own message */
  hint: string | null;
}

/** Maps an error code to the action that helps; the message itself comes from the server and is shown as is. */
export function errorHelp(error: MessageError): ErrorHelp {
  switch (error.code) {
    case "provider_auth":
      return {
        title: "The model provider refused the API key",
        action: "check-key",
        hint: "Check OPENAI_API_KEY in the server's environment, then restart the server and retry.",
      };
    case "provider_model_not_found":
      return { title: "The model was not found", action: "check-key", hint: "Check the model name the server is configured with." };
    case "model_not_ready":
    case "local_model_error":
      return { title: "The model is not ready", action: "wait-model", hint: "Wait until the model has loaded, then retry." };
    case "provider_context_length":
    case "message_too_long":
      return { title: "The message is too long", action: "shorten", hint: "Shorten the message (or start a new conversation) and send it again." };
    case "provider_rate_limit":
    case "rate_limited":
    case "too_many_runs":
      return { title: "Too many requests", action: "retry", hint: "Wait a moment, then retry." };
    case "connection_lost":
    case "connection_closed":
    case "not_connected":
    case "connection_failed":
      return { title: "The connection was lost", action: "retry", hint: "alma reconnects by itself; retry once the connection is back." };
    case "shutting_down":
      return {
        title: "The server shut down during this answer",
        action: "continue",
        hint: "The partial answer was kept: continue it now that the server is back.",
      };
    case "provider_unavailable":
    case "provider_timeout":
    case "stream_interrupted":
      return { title: "The model provider failed", action: "retry", hint: null };
    default:
      return { title: "Something went wrong", action: error.retryable ? "retry" : "none", hint: null };
  }
}
