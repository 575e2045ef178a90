import { countOpenAIChatTokens, fakeOpenAIServers } from "@alma/testing";
import { afterEach, describe, expect, it } from "vitest";
import { countOpenAIPromptTokens } from "./count-openai-tokens.js";
import { OpenAIChatModel } from "./openai-chat-model.js";
import { fakeOpenAIModels, question } from "./testing/fake-openai-model.js";
import { readChatStream, streamFailure } from "./testing/read-chat-stream.js";

const servers = fakeOpenAIServers();
afterEach(() => servers.closeAll());
const setup = fakeOpenAIModels(servers);

describe("OpenAIChatModel streaming", () => {
  it("yields the deltas in order, then done with the provider's usage and the model that answered", async () => {
    const { server, model } = await setup({ handler: () => ({ tokens: ["Hel", "lo", ",", " world"] }) });
    const { deltas, done } = await readChatStream(model.stream(question, { maxOutputTokens: 50, temperature: 0.3 }));
    expect(deltas).toEqual(["Hel", "lo", ",", " world"]);
    expect(done).toEqual({
      type: "done",
      finishReason: "stop",
      usage: { promptTokens: countOpenAIChatTokens(question), completionTokens: 4, reported: true },
      model: "gpt-4o-mini",
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
    const { done } = await readChatStream(model.stream(question, { maxOutputTokens: 50 }));
    expect(done?.usage.reported).toBe(false);
    expect(done?.usage.promptTokens).toBe(countOpenAIChatTokens(question));
    expect(done?.usage.promptTokens).toBe(countOpenAIPromptTokens(question));
    expect(done?.usage.completionTokens).toBe(7);
  });

  it("reports finish length when max tokens cut the answer, and sends json mode", async () => {
    const { server, model } = await setup({ handler: () => ({ text: "one two three four five" }) });
    const { deltas, done } = await readChatStream(model.stream(question, { maxOutputTokens: 2, json: true }));
    expect(deltas.join("")).toBe("one two");
    expect(done?.finishReason).toBe("length");
    expect(server.chatRequests()[0]!.chat?.responseFormat).toEqual({ type: "json_object" });
  });

  it("uses max_completion_tokens when asked to", async () => {
    const { server, model } = await setup({}, { maxTokensParam: "max_completion_tokens" });
    await readChatStream(model.stream(question, { maxOutputTokens: 7 }));
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
      const { deltas, done } = await readChatStream(modelAnswering(reads).stream(question, { maxOutputTokens: 10 }));
      expect(deltas.join("")).toBe("Grüß 🌍");
      expect(done).toEqual({ type: "done", finishReason: "stop", usage: { promptTokens: 9, completionTokens: 2, reported: true } });
    }
  });

  it("ends with stream_interrupted when the server sends an error event mid-answer", async () => {
    const deltas: string[] = [];
    const error = { error: { message: "upstream worker died", type: "server_error" } };
    const model = modelAnswering([encode(`${data("a")}\n\n${data(" b")}\n\nda`), encode(`ta: ${JSON.stringify(error)}\n\n`)]);
    const thrown = await streamFailure(model.stream(question, { maxOutputTokens: 10 }), deltas);
    expect(deltas).toEqual(["a", " b"]);
    expect(thrown).toMatchObject({ code: "stream_interrupted", retryable: true, afterFirstToken: true });
    expect(thrown.message).toContain("upstream worker died");
  });
});
