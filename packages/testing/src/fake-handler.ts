import type { IncomingHttpHeaders } from "node:http";
import type { OpenAIChatMessage, OpenAIToolChoice } from "./openai-chat-request-schema.js";

/** A function a request offers the model (`tools[].function`). */
export interface FakeOfferedTool {
  name: string;
  description: string;
  /** the arguments' JSON Schema ({} when the request gave none) */
  parameters: Record<string, unknown>;
}

/** A tool's result a request carries back to the model. */
export interface FakeToolResult {
  /** position of the message in `messages` */
  messageIndex: number;
  /** "native": a `role: "tool"` message; "json": a user message of the JSON tool convention ("Tool result (name):") */
  convention: "native" | "json";
  /** the tool, from the assistant call the result answers (native) or from the message's header (json); null when unknown */
  name: string | null;
  /** `tool_call_id` (native); null under the JSON convention */
  toolCallId: string | null;
  /** the result text the model reads (without the JSON convention's header) */
  content: string;
}

/** A call the fake model makes: `arguments` as JSON text (sent as is, valid or not) or an object (sent as its JSON). */
export interface FakeToolCall {
  name: string;
  arguments: string | Record<string, unknown>;
  /** the call's id; made up (`call_…`) when absent, left out of the response when null (servers that send none) */
  id?: string | null;
}

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
  /** the functions the request offers; empty when it sends no `tools` */
  tools: FakeOfferedTool[];
  /** `tool_choice` as sent, null when absent */
  toolChoice: OpenAIToolChoice | null;
  /** the tool results among the messages, in order (native `tool` messages and JSON-convention ones) */
  toolResults: FakeToolResult[];
  /** prompt tokens counted like OpenAI (encoding + chat framing + the tools' definitions) */
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
  /**
   * calls to make after the text: streamed the way the flavour does (OpenAI, vLLM, llama.cpp, LM Studio: a first
   * fragment with index, id, type and name, then the arguments in pieces; Ollama: each call whole in one chunk),
   * or as `message.tool_calls` when not streamed
   */
  toolCalls?: FakeToolCall[];
  /** defaults to "stop" ("tool_calls" with toolCalls), or "length" when the answer was cut at max_tokens */
  finishReason?: "stop" | "length" | "content_filter" | "tool_calls";
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
