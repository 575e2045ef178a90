import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { LlmError } from "./llm-error.js";
import { parseContextLimit } from "./parse-context-limit.js";
import { errorText } from "./error-text.js";

export interface OpenAIErrorContext {
  model: string;
  baseURL: string;
  /** true once a delta was yielded */
  afterFirstToken: boolean;
  /** true once the response headers arrived (a failure after that is a broken stream) */
  streamStarted: boolean;
}

/** Reads `retry-after-ms` / `retry-after` (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(headers: Headers | undefined | null, now = Date.now()): number | null {
  if (!headers) return null;
  const ms = Number.parseFloat(headers.get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const raw = headers.get("retry-after");
  if (!raw) return null;
  const seconds = Number.parseFloat(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - now) : null;
}

function upstreamMessage(e: APIError): string {
  // LM Studio sends `{"error": "<message>"}`
  if (typeof e.error === "string") return e.error;
  const body = e.error as { message?: unknown } | undefined;
  return typeof body?.message === "string" ? body.message : e.message;
}

// OpenAI's code, llama.cpp's type, and the words of vLLM ("maximum context length", "'max_tokens' ... is too large"),
// LM Studio ("context length of only N tokens") and others
const CONTEXT_WORDS = /context length|context window|context size|too many tokens|max_(?:completion_)?tokens'? (?:or '?max_completion_tokens'? )?is too large/i;

function isContextRefusal(e: APIError, detail: string): boolean {
  return e.code === "context_length_exceeded" || e.type === "exceed_context_size_error" || CONTEXT_WORDS.test(detail);
}

function contextLengthError(e: APIError, detail: string, ctx: OpenAIErrorContext, status: number | null): LlmError {
  const contextLimit = parseContextLimit(detail, e.error);
  const window = contextLimit !== null ? ` (the server's window is ${contextLimit} tokens)` : "";
  return new LlmError("provider_context_length", `the conversation is too long for model "${ctx.model}"${window}: shorten it or start a new one (${detail})`, {
    status,
    afterFirstToken: ctx.afterFirstToken,
    contextLimit,
    cause: e,
  });
}

/** Turns anything the OpenAI SDK (or the stream) throws into an LlmError a user can act on. */
export function mapOpenAIError(e: unknown, ctx: OpenAIErrorContext): LlmError {
  if (e instanceof LlmError) return e;
  const { afterFirstToken } = ctx;
  if (e instanceof APIUserAbortError) return new LlmError("aborted", "the request was stopped", { afterFirstToken, cause: e });
  if (e instanceof APIConnectionTimeoutError) {
    return new LlmError("provider_timeout", `the model server at ${ctx.baseURL} did not answer in time; try again, or raise the timeout`, {
      retryable: true,
      afterFirstToken,
      cause: e,
    });
  }
  if (e instanceof APIConnectionError) {
    const why = e.cause instanceof Error ? `: ${e.cause.message}` : "";
    return new LlmError(
      "provider_unavailable",
      `could not reach the model server at ${ctx.baseURL}${why}; check OPENAI_BASE_URL and that the server is running`,
      { retryable: true, afterFirstToken, cause: e },
    );
  }
  if (e instanceof APIError && e.status !== undefined) {
    const status = e.status;
    const detail = upstreamMessage(e);
    const base = { status, afterFirstToken, cause: e };
    if (status === 401) return new LlmError("provider_auth", `the API key was refused: check OPENAI_API_KEY (${detail})`, base);
    if (status === 403) {
      return new LlmError("provider_auth", `the API key may not use model "${ctx.model}": check OPENAI_API_KEY and the account's access (${detail})`, base);
    }
    if (status === 404) {
      return new LlmError(
        "provider_model_not_found",
        `the model "${ctx.model}" was not found at ${ctx.baseURL}: set OPENAI_MODEL to a model the server offers (${detail})`,
        base,
      );
    }
    if (status === 429) {
      if (e.code === "insufficient_quota") {
        return new LlmError("provider_rate_limit", `the account's quota is used up: check the plan and billing of OPENAI_API_KEY (${detail})`, base);
      }
      const retryAfterMs = parseRetryAfter(e.headers);
      return new LlmError(
        "provider_rate_limit",
        `the model provider is rate limiting requests; try again${retryAfterMs !== null ? ` in ${Math.ceil(retryAfterMs / 1000)} s` : " shortly"} (${detail})`,
        {
          ...base,
          retryable: true,
          retryAfterMs,
        },
      );
    }
    if ((status === 400 || status === 413) && isContextRefusal(e, detail)) return contextLengthError(e, detail, ctx, status);
    if (status === 408) return new LlmError("provider_timeout", `the model server timed out: try again (${detail})`, { ...base, retryable: true });
    if (status === 409 || status >= 500) {
      return new LlmError("provider_unavailable", `the model server failed with HTTP ${status}: try again shortly (${detail})`, {
        ...base,
        retryable: true,
        retryAfterMs: parseRetryAfter(e.headers),
      });
    }
    return new LlmError("provider_bad_request", `the model server rejected the request with HTTP ${status}: ${detail}`, base);
  }
  if (e instanceof APIError) {
    // an error event inside an otherwise healthy stream
    const detail = upstreamMessage(e);
    if (e.code === "context_length_exceeded" || e.type === "exceed_context_size_error") return contextLengthError(e, detail, ctx, null);
    return new LlmError("stream_interrupted", `the model server reported an error mid-answer: ${detail}`, { retryable: true, afterFirstToken, cause: e });
  }
  const message = errorText(e);
  if (ctx.streamStarted) {
    return new LlmError(
      "stream_interrupted",
      `the answer stream from ${ctx.baseURL} broke off${afterFirstToken ? " mid-answer" : ""} (${message}); try again`,
      {
        retryable: true,
        afterFirstToken,
        cause: e,
      },
    );
  }
  return new LlmError("provider_unavailable", `the request to ${ctx.baseURL} failed: ${message}`, { retryable: true, afterFirstToken, cause: e });
}
