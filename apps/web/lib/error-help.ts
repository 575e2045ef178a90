import type { MessageError } from "./chat-state";

export type ErrorAction = "retry" | "continue" | "check-key" | "wait-model" | "shorten" | "reconnect" | "none";

export interface ErrorHelp {
  title: string;
  action: ErrorAction;
  /** what to do, in words, added to the server's own message */
  hint: string | null;
  /** false when the title and hint say all the server's message says, which would then be said twice */
  showMessage: boolean;
}

/**
 * Maps an error code to the action that helps; the message itself comes from the server and is shown as is, unless
 * the help says it all. `connected`: whether the socket is open now (an action that needs the server waits for it).
 */
export function errorHelp(error: MessageError, connected: boolean): ErrorHelp {
  return { showMessage: true, ...helpFor(error, connected) };
}

function helpFor(error: MessageError, connected: boolean): Omit<ErrorHelp, "showMessage"> & Partial<Pick<ErrorHelp, "showMessage">> {
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
      // sending the same text again can only fail again: the way on is a shorter message
      return {
        title: "The message is too long",
        action: "shorten",
        hint: "Edit your message (the pencil beside it) to shorten it, or paste the long text as an attached file, which is searched rather than sent whole.",
      };
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
      // the stored message (a shutdown, or an instance that died) says the same as the title and hint, and it was
      // written before the server was back: the hint says what to do from where the connection is now
      return {
        title: "The server shut down during this answer",
        action: "continue",
        hint: connected ? "The partial answer was kept: continue it now." : "The partial answer was kept: continue it when the server is back.",
        showMessage: false,
      };
    case "forbidden_origin":
      return {
        title: "The alma server refused this page's address",
        action: "none",
        hint: "Add this page's address to ALMA_ALLOWED_ORIGINS in the server's settings (.env at the repo root; the setting replaces the defaults, so list every address you open alma at) and restart the server.",
      };
    case "provider_unavailable":
    case "provider_timeout":
    case "stream_interrupted":
      return { title: "The model provider failed", action: "retry", hint: null };
    default:
      return { title: "Something went wrong", action: error.retryable ? "retry" : "none", hint: null };
  }
}
