import { fakeOpenAIServers } from "@alma/testing";
import { afterEach, describe, expect, it } from "vitest";
import { fakeOpenAIModels, question } from "./testing/fake-openai-model.js";
import { streamFailure } from "./testing/read-chat-stream.js";

const servers = fakeOpenAIServers();
afterEach(() => servers.closeAll());
const setup = fakeOpenAIModels(servers);

describe("OpenAIChatModel error mapping", () => {
  it("maps 401 to provider_auth naming OPENAI_API_KEY, and marks the model unavailable", async () => {
    const { model } = await setup({ apiKey: "sk-other" });
    const error = await streamFailure(model.stream(question, { maxOutputTokens: 10 }));
    expect(error).toMatchObject({ code: "provider_auth", status: 401, retryable: false });
    expect(error.message).toContain("the API key was refused: check OPENAI_API_KEY");
    expect(model.status()).toMatchObject({ ready: false, state: "unavailable" });
    expect(model.status().setup).toHaveLength(3);
  });

  it("maps 404 to provider_model_not_found", async () => {
    const { model } = await setup({ models: ["gpt-4.1"] });
    const error = await streamFailure(model.stream(question, { maxOutputTokens: 10 }));
    expect(error).toMatchObject({ code: "provider_model_not_found", status: 404, retryable: false });
    expect(error.message).toContain('"gpt-4o-mini"');
  });

  it("maps 429 to a retryable provider_rate_limit with Retry-After in milliseconds", async () => {
    const { model } = await setup({ handler: () => ({ error: { status: 429, message: "Rate limit reached", code: "rate_limit_exceeded", retryAfter: 3 } }) });
    const error = await streamFailure(model.stream(question, { maxOutputTokens: 10 }));
    expect(error).toMatchObject({ code: "provider_rate_limit", retryable: true, retryAfterMs: 3000, status: 429 });
  });

  it("does not retry by itself: one failing request reaches the server once", async () => {
    const { server, model } = await setup({ handler: () => ({ error: { status: 503, message: "overloaded" } }) });
    const error = await streamFailure(model.stream(question, { maxOutputTokens: 10 }));
    expect(error).toMatchObject({ code: "provider_unavailable", retryable: true, status: 503 });
    expect(server.chatRequests()).toHaveLength(1);
  });

  it("maps the context window error to provider_context_length", async () => {
    const { model } = await setup({ contextWindow: 50 });
    const error = await streamFailure(model.stream(question, { maxOutputTokens: 100 }));
    expect(error).toMatchObject({ code: "provider_context_length", status: 400, retryable: false });
    expect(error.message).toContain("maximum context length is 50 tokens");
  });

  it("maps other 400s to provider_bad_request with the server's words", async () => {
    const { model } = await setup({ handler: () => ({ error: { status: 400, message: "temperature is not supported", param: "temperature" } }) });
    const error = await streamFailure(model.stream(question, { maxOutputTokens: 10, temperature: 0.5 }));
    expect(error).toMatchObject({ code: "provider_bad_request", status: 400, retryable: false });
    expect(error.message).toContain("temperature is not supported");
  });

  it("maps a refused connection to a retryable provider_unavailable", async () => {
    const { server, model } = await setup();
    await server.close();
    const error = await streamFailure(model.stream(question, { maxOutputTokens: 10 }));
    expect(error).toMatchObject({ code: "provider_unavailable", retryable: true });
    expect(error.message).toContain("OPENAI_BASE_URL");
  });

  it("maps a stream cut mid-way to stream_interrupted after the first token", async () => {
    const { model } = await setup({ handler: () => ({ text: "a b c d e f", cutAfterTokens: 3 }) });
    const deltas: string[] = [];
    const error = await streamFailure(model.stream(question, { maxOutputTokens: 50 }), deltas);
    expect(deltas).toEqual(["a", " b", " c"]);
    expect(error).toMatchObject({ code: "stream_interrupted", afterFirstToken: true, retryable: true });
  });
});
