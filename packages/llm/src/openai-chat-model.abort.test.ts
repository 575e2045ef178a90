import { fakeOpenAIServers } from "@alma/testing";
import { afterEach, describe, expect, it } from "vitest";
import { LlmError } from "./llm-error.js";
import { fakeOpenAIModels, question } from "./testing/fake-openai-model.js";
import { readChatStream, streamFailure } from "./testing/read-chat-stream.js";

const servers = fakeOpenAIServers();
afterEach(() => servers.closeAll());
const setup = fakeOpenAIModels(servers);

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
    const error = await streamFailure(model.stream(question, { maxOutputTokens: 10, signal: AbortSignal.abort() }));
    expect(error.code).toBe("aborted");
    expect(server.requests).toHaveLength(0);
  });

  it("ends with provider_timeout when no first token arrives in time, and closes the request", async () => {
    const { server, model } = await setup({ handler: () => ({ hang: "after-headers" }) }, { ttftTimeoutMs: 150 });
    const started = Date.now();
    const error = await streamFailure(model.stream(question, { maxOutputTokens: 10 }));
    expect(error).toMatchObject({ code: "provider_timeout", retryable: true, afterFirstToken: false });
    expect(error.message).toContain("within 150 ms");
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await server.waitForAbort(0)).clientAborted).toBe(true);
  });

  it("the first-token timeout also covers a server that sends no headers", async () => {
    const { model } = await setup({ handler: () => ({ hang: "before-headers" }) }, { ttftTimeoutMs: 150 });
    const error = await streamFailure(model.stream(question, { maxOutputTokens: 10 }));
    expect(error.code).toBe("provider_timeout");
  });

  it("ends with provider_timeout when the stream stalls between chunks", async () => {
    const { server, model } = await setup({ handler: () => ({ text: "a b c d", stallAfterTokens: 2 }) }, { idleTimeoutMs: 150 });
    const deltas: string[] = [];
    const error = await streamFailure(model.stream(question, { maxOutputTokens: 10 }), deltas);
    expect(deltas).toEqual(["a", " b"]);
    expect(error).toMatchObject({ code: "provider_timeout", afterFirstToken: true });
    expect(error.message).toContain("stalled for 150 ms");
    expect((await server.waitForAbort(0)).clientAborted).toBe(true);
  });

  it("a slow but steady trickle within the idle timeout completes", async () => {
    const { model } = await setup({ handler: () => ({ text: "a b c d", tokenDelayMs: 60 }) }, { idleTimeoutMs: 300, ttftTimeoutMs: 300 });
    const { deltas, done } = await readChatStream(model.stream(question, { maxOutputTokens: 10 }));
    expect(deltas.join("")).toBe("a b c d");
    expect(done?.finishReason).toBe("stop");
  });
});
