import type { ChatMessage, ChatModel, LlmError, LlmErrorCode } from "@alma/llm";
import { streamGeneration, type GenerationOutcome, type StreamGenerationOptions } from "./stream-generation.js";
import { retryDelay } from "./retry-delay.js";

/** Failures worth another try when no token was sent yet; 400s and 401s never are. */
const RETRYABLE: ReadonlySet<LlmErrorCode> = new Set(["provider_rate_limit", "provider_unavailable"]);

export interface RetryPolicy {
  maxRetries: number;
  baseMs: number;
  maxMs: number;
  random?: () => number;
}

export interface GenerateWithRetryOptions extends StreamGenerationOptions {
  retry: RetryPolicy;
  /** before each retry: the 1-based retry number, the wait, and why */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  /**
   * the request was refused for its length before any token: the request rebuilt inside the window the refusal
   * stated (or a smaller budget when it stated none), to try once more, or null
   */
  onContextLength?: (error: LlmError) => Promise<{ messages: ChatMessage[]; maxOutputTokens: number } | null>;
  /** just before each upstream request */
  onRequest?: () => void;
}

/** One generation with retries for rate limits and outages before the first token, and one re-trim on overflow. */
export async function generateWithRetry(model: ChatModel, messages: ChatMessage[], opts: GenerateWithRetryOptions): Promise<GenerationOutcome> {
  let current = messages;
  let maxOutputTokens = opts.maxOutputTokens;
  let retries = 0;
  let retrimmed = false;
  for (;;) {
    opts.onRequest?.();
    const out = await streamGeneration(model, current, { ...opts, maxOutputTokens });
    const err = out.error;
    if (!err || out.deltas.length > 0) return out;
    if (err.code === "provider_context_length" && !retrimmed && opts.onContextLength) {
      retrimmed = true;
      const rebuilt = await opts.onContextLength(err);
      // the same over-long request is never sent twice
      if (!rebuilt || (rebuilt.maxOutputTokens >= maxOutputTokens && sameMessages(rebuilt.messages, current))) return out;
      current = rebuilt.messages;
      maxOutputTokens = rebuilt.maxOutputTokens;
      continue;
    }
    if (!RETRYABLE.has(err.code) || retries >= opts.retry.maxRetries) return out;
    retries++;
    const delayMs = retryDelay(retries, err.retryAfterMs, opts.retry);
    opts.onRetry?.({ attempt: retries, delayMs, reason: err.message });
    if (!(await sleep(delayMs, opts.signal))) return { ...out, finishReason: "aborted", error: null };
  }
}

function sameMessages(a: ChatMessage[], b: ChatMessage[]): boolean {
  return a.length === b.length && a.every((m, i) => m.role === b[i]!.role && m.content === b[i]!.content);
}

/** Resolves true after ms, or false as soon as the signal aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
