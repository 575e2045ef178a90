import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { countOpenAIChatTokens, type OpenAIEncodingName } from "./count-openai-chat-tokens.js";
import { createFakeFlavour, type FakeFlavourConfig, type FakeFlavourResponse, type FakeServerFlavour } from "./create-fake-flavour.js";
import { openAIChatRequestSchema, type OpenAIChatMessage } from "./openai-chat-request-schema.js";
import { splitIntoTokens } from "./split-into-tokens.js";

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
  /** content tokens written */
  tokensSent: number;
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

export interface FakeOpenAIOptions extends FakeFlavourConfig {
  handler?: FakeHandler;
  /**
   * the window to advertise and enforce, the way the flavour does (openai: HTTP 400 context_length_exceeded, and no
   * window at all when unset; the other flavours have a default, see FakeFlavourConfig)
   */
  contextWindow?: number;
  /** require `Authorization: Bearer <apiKey>` (401 invalid_api_key otherwise) */
  apiKey?: string;
  /** the only model ids that exist (404 model_not_found for others); also served by GET /v1/models */
  models?: string[];
  /** encoding for prompt counting; default o200k_base */
  encoding?: OpenAIEncodingName;
  /** defaults for replies that do not say (tokens per second; 0 = as fast as possible) */
  tokensPerSecond?: number;
}

export interface FakeOpenAIServer {
  /** base URL for an OpenAI client, ending in /v1 */
  url: string;
  /** the server root (`url` without /v1), where vLLM, llama.cpp, Ollama and LM Studio serve their own endpoints */
  rootUrl: string;
  port: number;
  flavour: FakeServerFlavour;
  /** the window enforced on chat requests (per slot for llama.cpp), null when none */
  contextWindow: number | null;
  requests: FakeRequestRecord[];
  /** chat completion requests only, in arrival order */
  chatRequests(): FakeRequestRecord[];
  /** chat requests that asked for more than the window (see `FakeRequestRecord.overWindow`) */
  overWindowRequests(): FakeRequestRecord[];
  setHandler(handler: FakeHandler | null): void;
  waitForRequest(index: number, timeoutMs?: number): Promise<FakeRequestRecord>;
  /** resolves once the client closed request `index` before its response finished */
  waitForAbort(index: number, timeoutMs?: number): Promise<FakeRequestRecord>;
  /** resolves once request `index` ended for any reason (completed, aborted, cut) */
  waitForEnd(index: number, timeoutMs?: number): Promise<FakeRequestRecord>;
  /** forget recorded requests and attempt counts */
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 5_000;

function defaultHandler(request: FakeChatRequest): FakeReply {
  const lastUser = [...request.messages].reverse().find((m) => m.role === "user");
  const said = typeof lastUser?.content === "string" ? lastUser.content : "nothing";
  return { text: `You said: ${said}` };
}

function errorTypeFor(status: number): string {
  if (status === 401) return "invalid_request_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/**
 * Starts a real HTTP server on 127.0.0.1 (random port) that speaks OpenAI's chat completions API, streaming SSE.
 * `flavour` makes it tell and enforce its context window the way vLLM, llama.cpp, Ollama or LM Studio do.
 */
export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAIServer> {
  let handler: FakeHandler = options.handler ?? defaultHandler;
  const encoding = options.encoding ?? "o200k_base";
  const flavour = createFakeFlavour(options);
  let requests: FakeRequestRecord[] = [];
  let attempts = new Map<string, number>();
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const inFlight = new Set<AbortController>();
  let closing = false;

  const changed = () => events.emit("change");

  function sendJson(res: ServerResponse, record: FakeRequestRecord, status: number, body: unknown, headers: Record<string, string> = {}) {
    if (res.destroyed) return;
    record.status = status;
    record.firstByteAt ??= Date.now();
    res.writeHead(status, { "content-type": "application/json", "x-request-id": `req_${record.index}`, ...headers });
    res.end(JSON.stringify(body));
  }

  function sendFlavour(res: ServerResponse, record: FakeRequestRecord, response: FakeFlavourResponse) {
    if (response.text === undefined) return sendJson(res, record, response.status, response.json);
    if (res.destroyed) return;
    record.status = response.status;
    record.firstByteAt ??= Date.now();
    res.writeHead(response.status, { "content-type": "text/plain; charset=utf-8" });
    res.end(response.text);
  }

  function sendError(res: ServerResponse, record: FakeRequestRecord, error: FakeHttpError) {
    const headers: Record<string, string> = {};
    if (error.retryAfter !== undefined) headers["retry-after"] = String(error.retryAfter);
    if (error.retryAfterMs !== undefined) headers["retry-after-ms"] = String(error.retryAfterMs);
    sendJson(
      res,
      record,
      error.status,
      { error: { message: error.message, type: error.type ?? errorTypeFor(error.status), param: error.param ?? null, code: error.code ?? null } },
      headers,
    );
  }

  function write(res: ServerResponse, record: FakeRequestRecord, text: string): Promise<void> {
    if (res.destroyed) return Promise.resolve();
    record.firstByteAt ??= Date.now();
    return new Promise((resolve) => res.write(text, () => resolve()));
  }

  async function handleChat(req: IncomingMessage, res: ServerResponse, record: FakeRequestRecord, raw: string, signal: AbortSignal) {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      record.body = raw;
      return sendError(res, record, {
        status: 400,
        message: "We could not parse the JSON body of your request. The OpenAI API expects a JSON payload.",
      });
    }
    record.body = json;
    const parsed = openAIChatRequestSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const param = issue ? issue.path.join(".") : null;
      return sendError(res, record, { status: 400, message: `Invalid request: ${param ?? "body"}: ${issue?.message ?? "invalid"}`, param, code: null });
    }
    const body = parsed.data;
    if (!flavour.knowsModel(body.model)) {
      return sendError(res, record, {
        status: 404,
        message: `The model \`${body.model}\` does not exist or you do not have access to it.`,
        code: "model_not_found",
      });
    }
    const promptTokens = countOpenAIChatTokens(body.messages, encoding);
    const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? null;
    record.promptTokens = promptTokens;
    record.maxTokens = maxTokens;
    record.contextWindow = flavour.contextWindow;
    if (flavour.contextWindow !== null) {
      record.overWindow = promptTokens >= flavour.contextWindow || promptTokens + (maxTokens ?? 0) > flavour.contextWindow;
    }
    const length = flavour.judgeLength(body.messages, promptTokens, maxTokens, (messages) => countOpenAIChatTokens(messages, encoding));
    if (length.refusal) return sendFlavour(res, record, length.refusal);
    if (length.truncation) {
      record.truncatedPrompt = true;
      record.droppedPromptTokens = length.truncation.droppedPromptTokens;
      record.droppedMessages = length.truncation.droppedMessages;
    }
    flavour.noteChat(body.model);
    const key = JSON.stringify([body.model, body.messages]);
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    const chat: FakeChatRequest = {
      index: record.index,
      attempt,
      model: body.model,
      messages: body.messages,
      stream: body.stream === true,
      includeUsage: body.stream_options?.include_usage === true,
      maxTokens,
      temperature: body.temperature ?? null,
      responseFormat: body.response_format ?? null,
      promptTokens,
      body: body as Record<string, unknown>,
      headers: req.headers,
    };
    record.chat = chat;
    changed();

    let reply: FakeReply;
    try {
      const out = await handler(chat);
      reply = typeof out === "string" ? { text: out } : out;
    } catch (e) {
      return sendError(res, record, { status: 500, message: `The fake server's handler failed: ${(e as Error).message}` });
    }
    record.reply = reply;
    if (reply.error) return sendError(res, record, reply.error);
    if (reply.hang === "before-headers") return; // the connection stays open until the client gives up

    let tokens = reply.tokens ?? splitIntoTokens(reply.text ?? "");
    let finishReason = reply.finishReason ?? "stop";
    const limits = [maxTokens, length.generationBudget].filter((n): n is number => n !== null);
    const limit = limits.length > 0 ? Math.min(...limits) : null;
    if (limit !== null && tokens.length > limit) {
      tokens = tokens.slice(0, limit);
      finishReason = reply.finishReason ?? "length";
    }
    const tps = reply.tokensPerSecond ?? options.tokensPerSecond ?? 0;
    const tokenDelay = reply.tokenDelayMs ?? (tps > 0 ? 1000 / tps : 0);
    const evaluatedPrompt = length.truncation?.promptTokens ?? promptTokens;
    const usage = {
      prompt_tokens: reply.usage !== "omit" ? (reply.usage?.promptTokens ?? evaluatedPrompt) : evaluatedPrompt,
      completion_tokens: reply.usage !== "omit" ? (reply.usage?.completionTokens ?? tokens.length) : tokens.length,
    };
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);

    if (!chat.stream) {
      if (reply.hang === "after-headers") {
        record.status = 200;
        record.firstByteAt = Date.now();
        res.writeHead(200, { "content-type": "application/json" });
        res.flushHeaders();
        return;
      }
      await sleep((reply.firstTokenDelayMs ?? 0) + tokenDelay * tokens.length, signal);
      if (signal.aborted) return;
      const limit = reply.cutAfterTokens ?? reply.stallAfterTokens;
      if (limit !== undefined) {
        record.status = 200;
        res.writeHead(200, { "content-type": "application/json" });
        await write(res, record, `{"id":"${id}","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":`);
        if (reply.cutAfterTokens !== undefined) {
          record.serverCut = true;
          res.socket?.destroy();
        }
        return;
      }
      record.tokensSent = tokens.length;
      return sendJson(res, record, 200, {
        id,
        object: "chat.completion",
        created,
        model: body.model,
        system_fingerprint: "fp_fake",
        choices: [{ index: 0, message: { role: "assistant", content: tokens.join(""), refusal: null }, logprobs: null, finish_reason: finishReason }],
        usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
      });
    }

    record.status = 200;
    record.firstByteAt = Date.now();
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-request-id": `req_${record.index}`,
    });
    res.flushHeaders();
    if (reply.hang === "after-headers") return;

    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({
        id,
        object: "chat.completion.chunk",
        created,
        model: body.model,
        system_fingerprint: "fp_fake",
        choices,
        ...(chat.includeUsage ? { usage: null } : {}),
        ...extra,
      })}\n\n`;

    await write(res, record, chunk([{ index: 0, delta: { role: "assistant", content: "", refusal: null }, logprobs: null, finish_reason: null }]));
    await sleep(reply.firstTokenDelayMs ?? 0, signal);
    for (const [i, token] of tokens.entries()) {
      if (reply.cutAfterTokens !== undefined && i >= reply.cutAfterTokens) {
        record.serverCut = true;
        res.socket?.destroy();
        return;
      }
      if (reply.stallAfterTokens !== undefined && i >= reply.stallAfterTokens) return;
      await sleep(tokenDelay, signal);
      if (signal.aborted || res.destroyed) return;
      await write(res, record, chunk([{ index: 0, delta: { content: token }, logprobs: null, finish_reason: null }]));
      record.tokensSent = i + 1;
      changed();
    }
    // a cut or stall past the last token still withholds the finish chunk
    if (reply.cutAfterTokens !== undefined) {
      record.serverCut = true;
      res.socket?.destroy();
      return;
    }
    if (reply.stallAfterTokens !== undefined) return;
    if (signal.aborted || res.destroyed) return;
    await write(res, record, chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }]));
    if (chat.includeUsage && reply.usage !== "omit") {
      await write(
        res,
        record,
        chunk([], {
          usage: {
            ...usage,
            total_tokens: usage.prompt_tokens + usage.completion_tokens,
            prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
            completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
          },
        }),
      );
    }
    if (res.destroyed) return;
    res.end("data: [DONE]\n\n");
  }

  async function route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const record: FakeRequestRecord = {
      index: requests.length,
      method: req.method ?? "GET",
      path: url.pathname,
      headers: req.headers,
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
      promptTokens: null,
      maxTokens: null,
      contextWindow: null,
      overWindow: false,
      truncatedPrompt: false,
      droppedPromptTokens: 0,
      droppedMessages: 0,
    };
    requests.push(record);
    const controller = new AbortController();
    inFlight.add(controller);
    res.on("finish", () => {
      record.completed = true;
    });
    res.on("close", () => {
      inFlight.delete(controller);
      record.endedAt = Date.now();
      if (!res.writableFinished && !record.serverCut && !closing) record.clientAborted = true;
      controller.abort();
      changed();
    });
    changed();

    const raw = await readBody(req).catch(() => "");
    if (options.apiKey !== undefined) {
      const auth = req.headers.authorization ?? "";
      const given = auth.startsWith("Bearer ") ? auth.slice("Bearer ".length) : "";
      if (given !== options.apiKey) {
        const shown = given ? `${given.slice(0, 3)}*****${given.slice(-4)}` : "(none)";
        return sendError(res, record, {
          status: 401,
          message: `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          code: "invalid_api_key",
        });
      }
    }
    const method = req.method ?? "GET";
    if (method === "POST" && url.pathname === "/v1/chat/completions") return handleChat(req, res, record, raw, controller.signal);
    let json: unknown = null;
    try {
      json = raw ? JSON.parse(raw) : null;
    } catch {
      json = raw;
    }
    if (raw) record.body = json;
    const answer = flavour.route(method, url.pathname, json);
    return sendFlavour(res, record, answer ?? flavour.notFound(method, url.pathname));
  }

  const server = createServer((req, res) => {
    route(req, res).catch((e: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: `fake server failure: ${(e as Error).message}`, type: "server_error", param: null, code: null } }));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  function waitFor(index: number, timeoutMs: number, what: string, done: (r: FakeRequestRecord) => boolean): Promise<FakeRequestRecord> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const record = requests[index];
        if (record && done(record)) {
          cleanup();
          resolve(record);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        const record = requests[index];
        const state = record
          ? `status ${record.status}, completed ${record.completed}, clientAborted ${record.clientAborted}, tokensSent ${record.tokensSent}`
          : `only ${requests.length} request(s) arrived`;
        reject(new Error(`fake OpenAI: request ${index} was not ${what} within ${timeoutMs} ms (${state})`));
      }, timeoutMs);
      function cleanup() {
        clearTimeout(timer);
        events.off("change", check);
      }
      events.on("change", check);
      check();
    });
  }

  return {
    url: `http://127.0.0.1:${port}/v1`,
    rootUrl: `http://127.0.0.1:${port}`,
    port,
    flavour: flavour.name,
    contextWindow: flavour.contextWindow,
    get requests() {
      return requests;
    },
    chatRequests: () => requests.filter((r) => r.path === "/v1/chat/completions"),
    overWindowRequests: () => requests.filter((r) => r.path === "/v1/chat/completions" && r.overWindow),
    setHandler(next) {
      handler = next ?? options.handler ?? defaultHandler;
    },
    waitForRequest: (index, timeoutMs = DEFAULT_TIMEOUT_MS) => waitFor(index, timeoutMs, "received", () => true),
    waitForAbort: (index, timeoutMs = DEFAULT_TIMEOUT_MS) => waitFor(index, timeoutMs, "closed by the client", (r) => r.clientAborted),
    waitForEnd: (index, timeoutMs = DEFAULT_TIMEOUT_MS) => waitFor(index, timeoutMs, "ended", (r) => r.endedAt !== null),
    reset() {
      requests = [];
      attempts = new Map();
    },
    async close() {
      closing = true;
      for (const c of inFlight) c.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
