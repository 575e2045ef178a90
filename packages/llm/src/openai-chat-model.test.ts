import { countOpenAIChatTokens, startFakeOpenAI, type FakeOpenAIOptions, type FakeOpenAIServer } from "@alma/testing";
import { afterEach, describe, expect, it } from "vitest";
import type { ChatMessage } from "./chat-message.js";
import type { StreamChunk } from "./chat-model.js";
import { countOpenAIPromptTokens } from "./count-openai-tokens.js";
import { LlmError } from "./llm-error.js";
import { OpenAIChatModel, type OpenAIChatModelOptions } from "./openai-chat-model.js";

let server: FakeOpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(serverOptions: FakeOpenAIOptions = {}, modelOptions: OpenAIChatModelOptions = {}) {
  server = await startFakeOpenAI(serverOptions);
  const model = new OpenAIChatModel({ baseURL: server.url, apiKey: "sk-test", model: "gpt-4o-mini", ...modelOptions });
  return { server, model };
}

const question: ChatMessage[] = [
  { role: "system", content: "Answer briefly." },
  { role: "user", content: "Say hello" },
];

async function run(iterable: AsyncIterable<StreamChunk>) {
  const deltas: string[] = [];
  let done: Extract<StreamChunk, { type: "done" }> | undefined;
  for await (const chunk of iterable) {
    if (chunk.type === "delta") deltas.push(chunk.text);
    else done = chunk;
  }
  return { deltas, done };
}

async function failure(iterable: AsyncIterable<StreamChunk>, deltas: string[] = []): Promise<LlmError> {
  try {
    for await (const chunk of iterable) if (chunk.type === "delta") deltas.push(chunk.text);
  } catch (e) {
    expect(e).toBeInstanceOf(LlmError);
    return e as LlmError;
  }
  throw new Error("expected the stream to fail");
}

describe("OpenAIChatModel streaming", () => {
  it("yields the deltas in order, then done with the provider's usage", async () => {
    const { server, model } = await setup({ handler: () => ({ tokens: ["Hel", "lo", ",", " world"] }) });
    const { deltas, done } = await run(model.stream(question, { maxOutputTokens: 50, temperature: 0.3 }));
    expect(deltas).toEqual(["Hel", "lo", ",", " world"]);
    expect(done).toEqual({
      type: "done",
      finishReason: "stop",
      usage: { promptTokens: countOpenAIChatTokens(question), completionTokens: 4, reported: true },
    });
    const body = server.chatRequests()[0]!.body as Record<string, unknown>;
    expect(body).toMatchObject({ model: "gpt-4o-mini", stream: true, stream_options: { include_usage: true }, max_tokens: 50, temperature: 0.3 });
    expect(server.chatRequests()[0]!.headers.authorization).toBe("Bearer sk-test");
  });

  it("yields each delta as it arrives, not at the end", async () => {
    const { model } = await setup({ handler: () => ({ text: "a b c d e", tokenDelayMs: 40 }) });
    const arrivals: number[] = [];
    for await (const chunk of model.stream(question, { maxOutputTokens: 50 })) if (chunk.type === "delta") arrivals.push(Date.now());
    expect(arrivals).toHaveLength(5);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(120);
  });

  it("counts usage itself with o200k_base when the server reports none", async () => {
    const { model } = await setup({ handler: () => ({ text: "Tokenization counts words and pieces.", usage: "omit" }) });
    const { done } = await run(model.stream(question, { maxOutputTokens: 50 }));
    expect(done?.usage.reported).toBe(false);
    expect(done?.usage.promptTokens).toBe(countOpenAIChatTokens(question));
    expect(done?.usage.promptTokens).toBe(countOpenAIPromptTokens(question));
    expect(done?.usage.completionTokens).toBe(7);
  });

  it("reports finish length when max tokens cut the answer, and sends json mode", async () => {
    const { server, model } = await setup({ handler: () => ({ text: "one two three four five" }) });
    const { deltas, done } = await run(model.stream(question, { maxOutputTokens: 2, json: true }));
    expect(deltas.join("")).toBe("one two");
    expect(done?.finishReason).toBe("length");
    expect(server.chatRequests()[0]!.chat?.responseFormat).toEqual({ type: "json_object" });
  });

  it("uses max_completion_tokens when asked to", async () => {
    const { server, model } = await setup({}, { maxTokensParam: "max_completion_tokens" });
    await run(model.stream(question, { maxOutputTokens: 7 }));
    expect(server.chatRequests()[0]!.body).toMatchObject({ max_completion_tokens: 7 });
  });

  it("reports ready with the model's name and its known context window", async () => {
    const { model } = await setup();
    expect(model.status()).toMatchObject({ ready: true, state: "ready", provider: "openai", model: "gpt-4o-mini", contextWindow: 128_000 });
    expect(model.contextWindowInfo()).toMatchObject({ tokens: 128_000, source: "known" });
    // nothing told yet: the conservative default, and it says so
    const unknown = new OpenAIChatModel({ model: "my-local-model", baseURL: "http://127.0.0.1:1/v1" });
    expect(unknown.contextWindowInfo()).toMatchObject({ tokens: 4096, source: "default" });
    expect(unknown.contextWindowInfo().detail).toMatch(/ALMA_CONTEXT_WINDOW/);
    expect(new OpenAIChatModel({ model: "my-local-model", contextWindow: 8192 }).contextWindowInfo()).toMatchObject({ tokens: 8192, source: "setting" });
  });
});

describe("OpenAIChatModel error mapping", () => {
  it("maps 401 to provider_auth naming OPENAI_API_KEY, and marks the model unavailable", async () => {
    const { model } = await setup({ apiKey: "sk-other" });
    const error = await failure(model.stream(question, { maxOutputTokens: 10 }));
    expect(error).toMatchObject({ code: "provider_auth", status: 401, retryable: false });
    expect(error.message).toContain("the API key was refused: check OPENAI_API_KEY");
    expect(model.status()).toMatchObject({ ready: false, state: "unavailable" });
    expect(model.status().setup).toHaveLength(3);
  });

  it("maps 404 to provider_model_not_found", async () => {
    const { model } = await setup({ models: ["gpt-4.1"] });
    const error = await failure(model.stream(question, { maxOutputTokens: 10 }));
    expect(error).toMatchObject({ code: "provider_model_not_found", status: 404, retryable: false });
    expect(error.message).toContain('"gpt-4o-mini"');
  });

  it("maps 429 to a retryable provider_rate_limit with Retry-After in milliseconds", async () => {
    const { model } = await setup({ handler: () => ({ error: { status: 429, message: "Rate limit reached", code: "rate_limit_exceeded", retryAfter: 3 } }) });
    const error = await failure(model.stream(question, { maxOutputTokens: 10 }));
    expect(error).toMatchObject({ code: "provider_rate_limit", retryable: true, retryAfterMs: 3000, status: 429 });
  });

  it("does not retry by itself: one failing request reaches the server once", async () => {
    const { server, model } = await setup({ handler: () => ({ error: { status: 503, message: "overloaded" } }) });
    const error = await failure(model.stream(question, { maxOutputTokens: 10 }));
    expect(error).toMatchObject({ code: "provider_unavailable", retryable: true, status: 503 });
    expect(server.chatRequests()).toHaveLength(1);
  });

  it("maps the context window error to provider_context_length", async () => {
    const { model } = await setup({ contextWindow: 50 });
    const error = await failure(model.stream(question, { maxOutputTokens: 100 }));
    expect(error).toMatchObject({ code: "provider_context_length", status: 400, retryable: false });
    expect(error.message).toContain("maximum context length is 50 tokens");
  });

  it("maps other 400s to provider_bad_request with the server's words", async () => {
    const { model } = await setup({ handler: () => ({ error: { status: 400, message: "temperature is not supported", param: "temperature" } }) });
    const error = await failure(model.stream(question, { maxOutputTokens: 10, temperature: 0.5 }));
    expect(error).toMatchObject({ code: "provider_bad_request", status: 400, retryable: false });
    expect(error.message).toContain("temperature is not supported");
  });

  it("maps a refused connection to a retryable provider_unavailable", async () => {
    const { server, model } = await setup();
    await server.close();
    const error = await failure(model.stream(question, { maxOutputTokens: 10 }));
    expect(error).toMatchObject({ code: "provider_unavailable", retryable: true });
    expect(error.message).toContain("OPENAI_BASE_URL");
  });

  it("maps a stream cut mid-way to stream_interrupted after the first token", async () => {
    const { model } = await setup({ handler: () => ({ text: "a b c d e f", cutAfterTokens: 3 }) });
    const deltas: string[] = [];
    const error = await failure(model.stream(question, { maxOutputTokens: 50 }), deltas);
    expect(deltas).toEqual(["a", " b", " c"]);
    expect(error).toMatchObject({ code: "stream_interrupted", afterFirstToken: true, retryable: true });
  });
});

describe("OpenAIChatModel stop and timeouts", () => {
  it("aborting closes the upstream connection and throws aborted", async () => {
    const { server, model } = await setup({ handler: () => ({ text: "x ".repeat(200), tokenDelayMs: 10 }) });
    const controller = new AbortController();
    const deltas: string[] = [];
    const stream = model.stream(question, { maxOutputTokens: 500, signal: controller.signal });
    const error = await (async () => {
      try {
        for await (const chunk of stream) {
          if (chunk.type === "delta") deltas.push(chunk.text);
          if (deltas.length === 3) controller.abort();
        }
      } catch (e) {
        return e as LlmError;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({ code: "aborted", afterFirstToken: true });
    const record = await server.waitForAbort(0, 2000);
    expect(record.clientAborted).toBe(true);
    expect(record.tokensSent).toBeLessThan(200);
  });

  it("a consumer that stops iterating also closes the upstream connection", async () => {
    const { server, model } = await setup({ handler: () => ({ text: "x ".repeat(200), tokenDelayMs: 10 }) });
    let seen = 0;
    for await (const chunk of model.stream(question, { maxOutputTokens: 500 })) {
      if (chunk.type === "delta" && ++seen === 2) break;
    }
    expect((await server.waitForAbort(0, 2000)).clientAborted).toBe(true);
  });

  it("an already aborted signal throws aborted without a request", async () => {
    const { server, model } = await setup();
    const error = await failure(model.stream(question, { maxOutputTokens: 10, signal: AbortSignal.abort() }));
    expect(error.code).toBe("aborted");
    expect(server.requests).toHaveLength(0);
  });

  it("ends with provider_timeout when no first token arrives in time, and closes the request", async () => {
    const { server, model } = await setup({ handler: () => ({ hang: "after-headers" }) }, { ttftTimeoutMs: 150 });
    const started = Date.now();
    const error = await failure(model.stream(question, { maxOutputTokens: 10 }));
    expect(error).toMatchObject({ code: "provider_timeout", retryable: true, afterFirstToken: false });
    expect(error.message).toContain("within 150 ms");
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await server.waitForAbort(0)).clientAborted).toBe(true);
  });

  it("the first-token timeout also covers a server that sends no headers", async () => {
    const { model } = await setup({ handler: () => ({ hang: "before-headers" }) }, { ttftTimeoutMs: 150 });
    const error = await failure(model.stream(question, { maxOutputTokens: 10 }));
    expect(error.code).toBe("provider_timeout");
  });

  it("ends with provider_timeout when the stream stalls between chunks", async () => {
    const { server, model } = await setup({ handler: () => ({ text: "a b c d", stallAfterTokens: 2 }) }, { idleTimeoutMs: 150 });
    const deltas: string[] = [];
    const error = await failure(model.stream(question, { maxOutputTokens: 10 }), deltas);
    expect(deltas).toEqual(["a", " b"]);
    expect(error).toMatchObject({ code: "provider_timeout", afterFirstToken: true });
    expect(error.message).toContain("stalled for 150 ms");
    expect((await server.waitForAbort(0)).clientAborted).toBe(true);
  });

  it("a slow but steady trickle within the idle timeout completes", async () => {
    const { model } = await setup({ handler: () => ({ text: "a b c d", tokenDelayMs: 60 }) }, { idleTimeoutMs: 300, ttftTimeoutMs: 300 });
    const { deltas, done } = await run(model.stream(question, { maxOutputTokens: 10 }));
    expect(deltas.join("")).toBe("a b c d");
    expect(done?.finishReason).toBe("stop");
  });
});

describe("OpenAIChatModel probe", () => {
  it("surfaces a refused key in the status without throwing", async () => {
    const { model } = await setup({ apiKey: "sk-other" });
    const status = await model.probe();
    expect(status).toMatchObject({ ready: false, state: "unavailable" });
    expect(status.problem).toContain("OPENAI_API_KEY");
  });

  it("stays ready when the key is accepted, and notifies subscribers of changes", async () => {
    const { model } = await setup({ apiKey: "sk-test" });
    const seen: string[] = [];
    model.onStatus((s) => seen.push(s.state));
    expect((await model.probe()).state).toBe("ready");
    expect(seen).toEqual(["ready"]);
  });
});

describe("OpenAIChatModel reading the event stream", () => {
  /** a model whose upstream answers with these bytes, one network read each */
  function modelAnswering(reads: Uint8Array[]) {
    const fetch = async () => {
      const pending = [...reads];
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = pending.shift();
          if (next) controller.enqueue(next);
          else controller.close();
        },
      });
      return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
    };
    return new OpenAIChatModel({ baseURL: "http://127.0.0.1:1/v1", apiKey: "sk-test", model: "gpt-4o-mini", fetch: fetch as typeof globalThis.fetch });
  }
  const encode = (text: string) => new TextEncoder().encode(text);
  const data = (content: string | null, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }] })}`;

  it("yields the deltas of a stream with CRLF endings, keep-alives and reads that split events and characters", async () => {
    const whole = encode(
      `: keep-alive\r\n\r\n${data("Grüß")}\r\n\r\n${data(" 🌍")}\r\n\r\n${data(null, "stop")}\r\n\r\n` +
        `data: ${JSON.stringify({ id: "c", choices: [], usage: { prompt_tokens: 9, completion_tokens: 2 } })}\r\n\r\ndata: [DONE]\r\n\r\n`,
    );
    for (const size of [1, 5, 7, 64]) {
      // reads of `size` bytes cut CRLFs, "ü", "ß" and the emoji in the middle
      const reads: Uint8Array[] = [];
      for (let i = 0; i < whole.length; i += size) reads.push(whole.subarray(i, i + size));
      const { deltas, done } = await run(modelAnswering(reads).stream(question, { maxOutputTokens: 10 }));
      expect(deltas.join("")).toBe("Grüß 🌍");
      expect(done).toEqual({ type: "done", finishReason: "stop", usage: { promptTokens: 9, completionTokens: 2, reported: true } });
    }
  });

  it("ends with stream_interrupted when the server sends an error event mid-answer", async () => {
    const deltas: string[] = [];
    const error = { error: { message: "upstream worker died", type: "server_error" } };
    const model = modelAnswering([encode(`${data("a")}\n\n${data(" b")}\n\nda`), encode(`ta: ${JSON.stringify(error)}\n\n`)]);
    const thrown = await failure(model.stream(question, { maxOutputTokens: 10 }), deltas);
    expect(deltas).toEqual(["a", " b"]);
    expect(thrown).toMatchObject({ code: "stream_interrupted", retryable: true, afterFirstToken: true });
    expect(thrown.message).toContain("upstream worker died");
  });
});
