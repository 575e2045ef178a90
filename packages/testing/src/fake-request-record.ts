import type { IncomingHttpHeaders } from "node:http";
import type { FakeChatRequest, FakeReply } from "./fake-handler.js";

/** A tool call as the fake sent it: the id (null when left out), the name and the arguments' text (possibly cut at max_tokens). */
export interface FakeSentToolCall {
  requestIndex: number;
  id: string | null;
  name: string;
  arguments: string;
}

/** One HTTP request as the fake server saw it. */
export interface FakeRequestRecord {
  index: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** the parsed JSON body, the raw text when it was not JSON, or null */
  body: unknown;
  chat: FakeChatRequest | null;
  reply: FakeReply | null;
  status: number | null;
  receivedAt: number;
  firstByteAt: number | null;
  /** when the response ended, for any reason */
  endedAt: number | null;
  /** the whole response was sent */
  completed: boolean;
  /** the client closed the connection before the response finished */
  clientAborted: boolean;
  /** the server cut the connection on purpose (cutAfterTokens) */
  serverCut: boolean;
  /** content tokens written (and tool-call pieces: a call's first fragment, each piece of its arguments) */
  tokensSent: number;
  /** the tool calls the answer carried, once sent (whole or begun) */
  toolCallsSent: FakeSentToolCall[];
  /** chat requests: prompt tokens counted like OpenAI, also for requests refused for their length; null otherwise */
  promptTokens: number | null;
  /** chat requests: `max_completion_tokens`, else `max_tokens`, else null */
  maxTokens: number | null;
  /** the window the flavour enforced on this chat request (per slot for llama.cpp), null when none */
  contextWindow: number | null;
  /** the request did not fit: prompt + max_tokens over the window, or the prompt alone filling it */
  overWindow: boolean;
  /** the server silently cut the prompt from the front to fit (Ollama) */
  truncatedPrompt: boolean;
  droppedPromptTokens: number;
  droppedMessages: number;
}

/** The record of a request that just arrived: nothing answered, nothing counted yet. */
export function newFakeRequestRecord(index: number, method: string, path: string, headers: IncomingHttpHeaders): FakeRequestRecord {
  return {
    index,
    method,
    path,
    headers,
    body: null,
    chat: null,
    reply: null,
    status: null,
    receivedAt: Date.now(),
    firstByteAt: null,
    endedAt: null,
    completed: false,
    clientAborted: false,
    serverCut: false,
    tokensSent: 0,
    toolCallsSent: [],
    promptTokens: null,
    maxTokens: null,
    contextWindow: null,
    overWindow: false,
    truncatedPrompt: false,
    droppedPromptTokens: 0,
    droppedMessages: 0,
  };
}
