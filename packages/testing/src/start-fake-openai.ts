import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { checkApiKey } from "./check-api-key.js";
import { countOpenAIChatTokens, type OpenAIEncodingName } from "./count-openai-chat-tokens.js";
import { countOpenAIToolTokens } from "./count-openai-tool-tokens.js";
import { createFakeFlavour } from "./create-fake-flavour.js";
import type { FakeFlavourConfig, FakeServerFlavour } from "./fake-flavour.js";
import { defaultFakeHandler, type FakeChatRequest, type FakeHandler, type FakeReply, type FakeToolResult } from "./fake-handler.js";
import { FakeRequestLog } from "./fake-request-log.js";
import { newFakeRequestRecord, type FakeRequestRecord, type FakeSentToolCall } from "./fake-request-record.js";
import { parseChatBody } from "./parse-chat-body.js";
import { offeredTools, readToolResults } from "./read-tool-results.js";
import { sendFlavourResponse, sendHttpError } from "./send-fake-response.js";
import { writeChatReply } from "./write-chat-reply.js";

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
  /** chat requests that offered tools (`chat.tools` names them) */
  toolRequests(): FakeRequestRecord[];
  /** every tool result the chat requests carried, in arrival order (a result sent again in a later request counts again) */
  toolResults(): FakeToolResult[];
  /** every tool call the fake model made, in order, with the ids it sent */
  toolCallsSent(): FakeSentToolCall[];
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
  let handler: FakeHandler = options.handler ?? defaultFakeHandler;
  const encoding = options.encoding ?? "o200k_base";
  const flavour = createFakeFlavour(options);
  const log = new FakeRequestLog();
  const inFlight = new Set<AbortController>();
  let closing = false;

  async function handleChat(req: IncomingMessage, res: ServerResponse, record: FakeRequestRecord, raw: string, signal: AbortSignal) {
    const parsed = parseChatBody(raw);
    record.body = parsed.json;
    if ("error" in parsed) return sendHttpError(res, record, parsed.error);
    const body = parsed.body;
    if (!flavour.knowsModel(body.model)) {
      return sendHttpError(res, record, {
        status: 404,
        message: `The model \`${body.model}\` does not exist or you do not have access to it.`,
        code: "model_not_found",
      });
    }
    const tools = offeredTools(body);
    const toolChoice = body.tool_choice ?? null;
    if (tools.length > 0) {
      const refused = flavour.judgeTools(body.model, toolChoice);
      if (refused) return sendFlavourResponse(res, record, refused);
    }
    const hasSystem = body.messages.some((m) => m.role === "system" || m.role === "developer");
    const toolTokens = countOpenAIToolTokens(tools, hasSystem, encoding);
    const promptTokens = countOpenAIChatTokens(body.messages, encoding) + toolTokens;
    const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? null;
    record.promptTokens = promptTokens;
    record.maxTokens = maxTokens;
    record.contextWindow = flavour.contextWindow;
    if (flavour.contextWindow !== null) {
      record.overWindow = promptTokens >= flavour.contextWindow || promptTokens + (maxTokens ?? 0) > flavour.contextWindow;
    }
    const length = flavour.judgeLength(body.messages, promptTokens, maxTokens, (messages) => countOpenAIChatTokens(messages, encoding) + toolTokens);
    if (length.refusal) return sendFlavourResponse(res, record, length.refusal);
    if (length.truncation) {
      record.truncatedPrompt = true;
      record.droppedPromptTokens = length.truncation.droppedPromptTokens;
      record.droppedMessages = length.truncation.droppedMessages;
    }
    flavour.noteChat(body.model);
    const chat: FakeChatRequest = {
      index: record.index,
      attempt: log.attempt(JSON.stringify([body.model, body.messages])),
      model: body.model,
      messages: body.messages,
      stream: body.stream === true,
      includeUsage: body.stream_options?.include_usage === true,
      maxTokens,
      temperature: body.temperature ?? null,
      responseFormat: body.response_format ?? null,
      tools,
      toolChoice,
      toolResults: readToolResults(body.messages),
      promptTokens,
      body: body as Record<string, unknown>,
      headers: req.headers,
    };
    record.chat = chat;
    log.changed();

    let reply: FakeReply;
    try {
      const out = await handler(chat);
      reply = typeof out === "string" ? { text: out } : out;
    } catch (e) {
      return sendHttpError(res, record, { status: 500, message: `The fake server's handler failed: ${(e as Error).message}` });
    }
    record.reply = reply;
    if (reply.error) return sendHttpError(res, record, reply.error);
    if (reply.hang === "before-headers") return; // the connection stays open until the client gives up
    await writeChatReply(res, record, {
      chat,
      reply,
      generationBudget: length.generationBudget,
      evaluatedPromptTokens: length.truncation?.promptTokens ?? promptTokens,
      defaultTokensPerSecond: options.tokensPerSecond,
      toolCallStreaming: flavour.toolCallStreaming,
      toolCallId: () => flavour.toolCallId(),
      signal,
      changed: () => log.changed(),
    });
  }

  async function route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    const record = newFakeRequestRecord(log.records.length, method, url.pathname, req.headers);
    log.records.push(record);
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
      log.changed();
    });
    log.changed();

    const raw = await readBody(req).catch(() => "");
    if (options.apiKey !== undefined) {
      const refused = checkApiKey(req.headers, options.apiKey);
      if (refused) return sendHttpError(res, record, refused);
    }
    if (method === "POST" && url.pathname === "/v1/chat/completions") return handleChat(req, res, record, raw, controller.signal);
    let json: unknown = null;
    try {
      json = raw ? JSON.parse(raw) : null;
    } catch {
      json = raw;
    }
    if (raw) record.body = json;
    const answer = flavour.route(method, url.pathname, json);
    return sendFlavourResponse(res, record, answer ?? flavour.notFound(method, url.pathname));
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

  return {
    url: `http://127.0.0.1:${port}/v1`,
    rootUrl: `http://127.0.0.1:${port}`,
    port,
    flavour: flavour.name,
    contextWindow: flavour.contextWindow,
    get requests() {
      return log.records;
    },
    chatRequests: () => log.records.filter((r) => r.path === "/v1/chat/completions"),
    toolRequests: () => log.records.filter((r) => r.path === "/v1/chat/completions" && (r.chat?.tools.length ?? 0) > 0),
    toolResults: () => log.records.flatMap((r) => r.chat?.toolResults ?? []),
    toolCallsSent: () => log.records.flatMap((r) => r.toolCallsSent),
    overWindowRequests: () => log.records.filter((r) => r.path === "/v1/chat/completions" && r.overWindow),
    setHandler(next) {
      handler = next ?? options.handler ?? defaultFakeHandler;
    },
    waitForRequest: (index, timeoutMs = DEFAULT_TIMEOUT_MS) => log.waitFor(index, timeoutMs, "received", () => true),
    waitForAbort: (index, timeoutMs = DEFAULT_TIMEOUT_MS) => log.waitFor(index, timeoutMs, "closed by the client", (r) => r.clientAborted),
    waitForEnd: (index, timeoutMs = DEFAULT_TIMEOUT_MS) => log.waitFor(index, timeoutMs, "ended", (r) => r.endedAt !== null),
    reset: () => log.reset(),
    async close() {
      closing = true;
      for (const c of inFlight) c.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
