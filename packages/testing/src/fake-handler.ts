import type { IncomingHttpHeaders } from "node:http";
import type { OpenAIChatMessage } from "./openai-chat-request-schema.js";

/** A parsed chat request, as a handler sees it. */
export interface FakeChatRequest {
  /** position in `requests` (0-based, counts every HTTP request) */
  index: number;
  /** 1 the first time this model + messages pair arrives, 2 on the first retry of it, ... */
  attempt: number;
  model: string;
  messages: OpenAIChatMessage[];
  stream: boolean;
  includeUsage: boolean;
  /** `max_completion_tokens`, else `max_tokens`, else null */
  maxTokens: number | null;
  temperature: number | null;
  responseFormat: { type: string } | null;
  /** prompt tokens counted like OpenAI (encoding + chat framing) */
  promptTokens: number;
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
}

export interface FakeHttpError {
  status: number;
  message: string;
  /** OpenAI error type; defaults from the status (invalid_request_error, rate_limit_error, server_error, ...) */
  type?: string;
  code?: string | null;
  param?: string | null;
  /** `Retry-After` header: seconds, or an HTTP date */
  retryAfter?: number | string;
  /** `retry-after-ms` header, which the OpenAI SDKs also read */
  retryAfterMs?: number;
}

/** What the fake model does for one request. Every field is optional; a bare string is `{ text }`. */
export interface FakeReply {
  /** the answer, split into word-ish tokens */
  text?: string;
  /** the answer as explicit tokens (wins over `text`) */
  tokens?: string[];
  tokensPerSecond?: number;
  /** delay before every token (wins over tokensPerSecond) */
  tokenDelayMs?: number;
  /** extra delay between the response headers and the first token */
  firstTokenDelayMs?: number;
  /** defaults to "stop", or "length" when the answer was cut at max_tokens */
  finishReason?: "stop" | "length" | "content_filter";
  /** answer with an HTTP error instead */
  error?: FakeHttpError;
  /** destroy the socket after this many tokens (a stream cut mid-way) */
  cutAfterTokens?: number;
  /** send this many tokens, then nothing more while keeping the connection open */
  stallAfterTokens?: number;
  /** "after-headers": send status and headers, then nothing; "before-headers": send nothing at all */
  hang?: "after-headers" | "before-headers";
  /** override the usage figures, or "omit" to leave the usage chunk out even when asked for */
  usage?: { promptTokens?: number; completionTokens?: number } | "omit";
}

export type FakeHandler = (request: FakeChatRequest) => FakeReply | string | Promise<FakeReply | string>;

/** What the fake answers when no handler is set: an echo of the last user message. */
export function defaultFakeHandler(request: FakeChatRequest): FakeReply {
  const lastUser = [...request.messages].reverse().find((m) => m.role === "user");
  const said = typeof lastUser?.content === "string" ? lastUser.content : "nothing";
  return { text: `You said: ${said}` };
}
