import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countOpenAIChatTokens } from "./count-openai-chat-tokens.js";
import type { FakeChatRequest } from "./fake-handler.js";
import type { StreamChunk } from "./fake-server-requests.js";
import { readSSEData } from "./read-sse-data.js";
import { startFakeOpenAI, type FakeOpenAIOptions, type FakeOpenAIServer } from "./start-fake-openai.js";

let server: FakeOpenAIServer;

async function start(options: FakeOpenAIOptions = {}) {
  await server?.close();
  server = await startFakeOpenAI(options);
  return server;
}

beforeEach(async () => {
  server = await startFakeOpenAI();
});
afterEach(async () => {
  await server.close();
});

const userHello = [{ role: "user", content: "Hello" }];

function post(body: unknown, init: RequestInit = {}) {
  return fetch(`${server.url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-test" },
    body: JSON.stringify(body),
    ...init,
  });
}

type StreamEvent = StreamChunk | "[DONE]";

async function collect(res: Response): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const data of readSSEData(res.body!)) out.push(data === "[DONE]" ? data : (JSON.parse(data) as StreamChunk));
  return out;
}

/** the event as a chunk; fails the test when it is "[DONE]" or missing */
function chunk(event: StreamEvent | undefined): StreamChunk {
  if (event === undefined || event === "[DONE]") throw new Error(`expected a chunk, got ${String(event)}`);
  return event;
}

describe("startFakeOpenAI streaming", () => {
  it("streams chat.completion.chunk events, a finish chunk, the usage chunk, then [DONE]", async () => {
    server.setHandler(() => ({ tokens: ["Hel", "lo", " there"] }));
    const res = await post({ model: "gpt-4o-mini", messages: userHello, stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = await collect(res);
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map(chunk);
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.model === "gpt-4o-mini")).toBe(true);
    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    const contents = chunks.slice(1, 4).map((c) => c.choices[0]!.delta.content);
    expect(contents).toEqual(["Hel", "lo", " there"]);
    expect(chunks[4]!.choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
    expect(chunks[5]!.choices).toEqual([]);
    const promptTokens = countOpenAIChatTokens(userHello);
    expect(chunks[5]!.usage).toMatchObject({ prompt_tokens: promptTokens, completion_tokens: 3, total_tokens: promptTokens + 3 });
    expect(chunks).toHaveLength(6);

    const record = await server.waitForEnd(0);
    expect(record).toMatchObject({ completed: true, clientAborted: false, serverCut: false, tokensSent: 3, status: 200 });
    expect(record.firstByteAt).toBeGreaterThanOrEqual(record.receivedAt);
    expect(record.chat?.includeUsage).toBe(true);
  });

  it("leaves the usage chunk out unless include_usage is set", async () => {
    const events = await collect(await post({ model: "m", messages: userHello, stream: true }));
    expect(events.some((e) => e !== "[DONE]" && e.usage)).toBe(false);
    expect(chunk(events.at(-2)).choices[0]!.finish_reason).toBe("stop");
    const text = events
      .slice(0, -2)
      .map((e) => chunk(e).choices[0]!.delta.content)
      .join("");
    expect(text).toBe("You said: Hello");
  });

  it("splits a text reply into word-ish tokens and paces them by tokens per second", async () => {
    server.setHandler(() => ({ text: "one two three four five six", tokensPerSecond: 100 }));
    const started = Date.now();
    const events = await collect(await post({ model: "m", messages: userHello, stream: true }));
    const contents = events.slice(1, -2).map((e) => chunk(e).choices[0]!.delta.content);
    expect(contents).toEqual(["one", " two", " three", " four", " five", " six"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  });

  it("stops at max_tokens with finish_reason length", async () => {
    server.setHandler(() => ({ text: "a b c d e f g" }));
    const events = await collect(
      await post({ model: "m", messages: userHello, stream: true, max_completion_tokens: 3, stream_options: { include_usage: true } }),
    );
    const chunks = events.filter((e) => e !== "[DONE]");
    const contents = chunks.filter((c) => c.choices[0]?.delta.content).map((c) => c.choices[0]!.delta.content);
    expect(contents).toEqual(["a", " b", " c"]);
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe("length");
    expect(chunk(events.at(-2)).usage?.completion_tokens).toBe(3);
  });

  it("hands the handler the parsed request and counts attempts of the same conversation", async () => {
    const seen: FakeChatRequest[] = [];
    server.setHandler((r) => {
      seen.push(r);
      return "ok";
    });
    const body = {
      model: "gpt-4o",
      messages: [{ role: "system", content: "Be brief." }, ...userHello],
      stream: false,
      max_tokens: 50,
      temperature: 0.2,
      response_format: { type: "json_object" },
    };
    await (await post(body)).json();
    await (await post(body)).json();
    await (await post({ ...body, messages: [{ role: "user", content: "other" }] })).json();
    expect(seen.map((r) => r.attempt)).toEqual([1, 2, 1]);
    expect(seen[0]).toMatchObject({ model: "gpt-4o", maxTokens: 50, temperature: 0.2, responseFormat: { type: "json_object" }, stream: false });
    expect(seen[0]!.promptTokens).toBe(countOpenAIChatTokens(body.messages));
  });

  it("answers without streaming", async () => {
    server.setHandler(() => "Plain answer.");
    const res = await post({ model: "m", messages: userHello });
    const json = await res.json();
    expect(json).toMatchObject({
      object: "chat.completion",
      choices: [{ index: 0, message: { role: "assistant", content: "Plain answer." }, finish_reason: "stop" }],
      usage: { prompt_tokens: countOpenAIChatTokens(userHello), completion_tokens: 3 },
    });
  });

  it("lists models", async () => {
    await start({ models: ["a", "b"] });
    const json = await (await fetch(`${server.url}/models`)).json();
    expect(json.data.map((m: { id: string }) => m.id)).toEqual(["a", "b"]);
  });
});

describe("startFakeOpenAI checks and errors", () => {
  it("refuses a wrong API key with 401 invalid_api_key", async () => {
    await start({ apiKey: "sk-right" });
    const res = await post({ model: "m", messages: userHello }, { headers: { authorization: "Bearer sk-wrong-key" } });
    expect(res.status).toBe(401);
    expect((await res.json()).error).toMatchObject({ code: "invalid_api_key", type: "invalid_request_error" });
    const ok = await fetch(`${server.url}/models`, { headers: { authorization: "Bearer sk-right" } });
    expect(ok.status).toBe(200);
  });

  it("answers 404 model_not_found for a model outside the list", async () => {
    await start({ models: ["gpt-4o-mini"] });
    const res = await post({ model: "gpt-9", messages: userHello });
    expect(res.status).toBe(404);
    const { error } = await res.json();
    expect(error.code).toBe("model_not_found");
    expect(error.message).toContain("gpt-9");
  });

  it("enforces the context window exactly like OpenAI", async () => {
    await start({ contextWindow: 100 });
    const prompt = countOpenAIChatTokens(userHello);
    expect(prompt).toBe(8); // 3 framing + "user" 1 + "Hello" 1 + 3 priming
    const fits = await post({ model: "m", messages: userHello, max_tokens: 100 - prompt });
    expect(fits.status).toBe(200);
    await fits.json();
    const over = await post({ model: "m", messages: userHello, max_tokens: 100 - prompt + 1 });
    expect(over.status).toBe(400);
    expect((await over.json()).error).toEqual({
      message: `This model's maximum context length is 100 tokens. However, you requested 101 tokens (${prompt} in the messages, ${100 - prompt + 1} in the completion). Please reduce the length of the messages or completion.`,
      type: "invalid_request_error",
      param: "messages",
      code: "context_length_exceeded",
    });
    const long = await post({ model: "m", messages: [{ role: "user", content: "word ".repeat(200) }] });
    expect(long.status).toBe(400);
    expect((await long.json()).error.message).toMatch(/However, your messages resulted in \d+ tokens/);
  });

  it("sends a programmed HTTP error with Retry-After", async () => {
    server.setHandler((r) => (r.attempt === 1 ? { error: { status: 429, message: "Rate limit reached", code: "rate_limit_exceeded", retryAfter: 2 } } : "ok"));
    const res = await post({ model: "m", messages: userHello, stream: true });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("2");
    expect((await res.json()).error).toEqual({ message: "Rate limit reached", type: "rate_limit_error", param: null, code: "rate_limit_exceeded" });
    const retry = await post({ model: "m", messages: userHello });
    expect(retry.status).toBe(200);
    await retry.json();
  });

  it("rejects a body that is not JSON or lacks messages with 400", async () => {
    const bad = await fetch(`${server.url}/chat/completions`, { method: "POST", body: "{nope" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.type).toBe("invalid_request_error");
    const missing = await post({ model: "m" });
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.param).toBe("messages");
  });
});

describe("startFakeOpenAI faults and client aborts", () => {
  it("cuts the stream after N tokens by destroying the socket", async () => {
    server.setHandler(() => ({ text: "a b c d e f", cutAfterTokens: 2 }));
    const res = await post({ model: "m", messages: userHello, stream: true });
    const got: string[] = [];
    await expect(
      (async () => {
        for await (const data of readSSEData(res.body!)) got.push(JSON.parse(data).choices[0].delta.content);
      })(),
    ).rejects.toThrow();
    expect(got).toEqual(["", "a", " b"]);
    const record = await server.waitForEnd(0);
    expect(record).toMatchObject({ serverCut: true, clientAborted: false, completed: false, tokensSent: 2 });
  });

  it("records the client closing a slow stream mid-way", async () => {
    server.setHandler(() => ({ text: "x ".repeat(100), tokenDelayMs: 20 }));
    const controller = new AbortController();
    const res = await post({ model: "m", messages: userHello, stream: true }, { signal: controller.signal });
    const reader = readSSEData(res.body!);
    await reader.next();
    await reader.next();
    controller.abort();
    const record = await server.waitForAbort(0, 2000);
    expect(record.clientAborted).toBe(true);
    expect(record.completed).toBe(false);
    expect(record.tokensSent).toBeLessThan(100);
    const sent = record.tokensSent;
    await new Promise((r) => setTimeout(r, 60));
    expect(record.tokensSent).toBe(sent);
  });

  it("hangs after the headers until the client gives up", async () => {
    server.setHandler(() => ({ hang: "after-headers" }));
    const controller = new AbortController();
    const res = await post({ model: "m", messages: userHello, stream: true }, { signal: controller.signal });
    expect(res.status).toBe(200);
    const reading = res.body!.getReader().read();
    const raced = await Promise.race([reading.then(() => "data"), new Promise((r) => setTimeout(() => r("nothing"), 100))]);
    expect(raced).toBe("nothing");
    controller.abort();
    await reading.catch(() => undefined);
    expect((await server.waitForAbort(0)).clientAborted).toBe(true);
  });

  it("hangs before the headers until the client gives up", async () => {
    server.setHandler(() => ({ hang: "before-headers" }));
    const fetching = post({ model: "m", messages: userHello, stream: true }, { signal: AbortSignal.timeout(100) });
    await expect(fetching).rejects.toThrow();
    const record = await server.waitForAbort(0);
    expect(record.firstByteAt).toBeNull();
  });

  it("stalls after N tokens while keeping the connection open", async () => {
    server.setHandler(() => ({ text: "a b c d", stallAfterTokens: 1 }));
    const controller = new AbortController();
    const res = await post({ model: "m", messages: userHello, stream: true }, { signal: controller.signal });
    const reader = readSSEData(res.body!);
    expect(JSON.parse((await reader.next()).value as string).choices[0].delta.content).toBe("");
    expect(JSON.parse((await reader.next()).value as string).choices[0].delta.content).toBe("a");
    const next = reader.next();
    const raced = await Promise.race([next.then(() => "data"), new Promise((r) => setTimeout(() => r("nothing"), 100))]);
    expect(raced).toBe("nothing");
    controller.abort();
    await next.catch(() => undefined);
    expect((await server.waitForAbort(0)).tokensSent).toBe(1);
  });

  it("waitForAbort fails with the request's state when the client never aborts", async () => {
    await (await post({ model: "m", messages: userHello })).json();
    await expect(server.waitForAbort(0, 50)).rejects.toThrow(/request 0 was not closed by the client within 50 ms \(status 200, completed true/);
  });
});
