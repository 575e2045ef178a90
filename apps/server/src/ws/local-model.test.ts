import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { LocalChatModel, type ChatMessage } from "@alma/llm";
import { buildApp } from "../build-app.js";
import { testConfig } from "../testing/test-config.js";
import { WsTestClient } from "../testing/ws-test-client.js";

const MODEL_PATH = fileURLToPath(new URL("../../../../../shared/models/stories260K.gguf", import.meta.url));

let app: FastifyInstance | null = null;
let client: WsTestClient | null = null;
afterEach(async () => {
  client?.terminate();
  await app?.close();
  client = null;
  app = null;
});

describe("the local model through the server", () => {
  it("streams a bounded answer from stories260K token by token", async () => {
    const model = new LocalChatModel({ model: MODEL_PATH, threads: 1, progressBar: false, autoLoad: false });
    app = await buildApp({ config: testConfig({ ALMA_PROVIDER: "local", ALMA_MAX_OUTPUT_TOKENS: "24" }), model });
    const address = await app.listen({ host: "127.0.0.1", port: 0 });
    client = await WsTestClient.connect(`${address.replace("http", "ws")}/ws`);
    expect(client.of("welcome")[0]!.model.ready).toBe(false);
    void model.load();
    // the status change is pushed to connected clients
    await client.waitFor("model.status", (f) => f.model.ready, 20_000);
    client.send({ type: "message.send", clientMessageId: "l1", content: "Once upon a time", options: { taskType: "creative" } });
    const { runId, conversationId } = await client.waitFor("message.accepted");
    const done = await client.waitFor("run.completed", (f) => f.runId === runId, 30_000);
    const tokens = client.tokens(runId!);
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.map((t) => t.seq)).toEqual(tokens.map((_, i) => i));
    expect(done.metrics.provider).toBe("local");
    expect(done.usage.completionTokens).toBeLessThanOrEqual(24);
    const answer = (await app.alma.store.listMessages(conversationId)).at(-1)!;
    expect(answer.content).toBe(tokens.map((t) => t.text).join(""));
  }, 40_000);

  it("counts the request with the model's own tokenizer once it is ready, exactly as the model renders it", async () => {
    const model = new LocalChatModel({ model: MODEL_PATH, threads: 1, progressBar: false, autoLoad: false });
    await model.load();
    // record what each generation was sent, then generate for real
    const sent: ChatMessage[][] = [];
    const stream = model.stream.bind(model);
    model.stream = (messages, options) => {
      sent.push(messages);
      return stream(messages, options);
    };
    app = await buildApp({ config: testConfig({ ALMA_PROVIDER: "local", ALMA_MAX_OUTPUT_TOKENS: "16" }), model });
    const address = await app.listen({ host: "127.0.0.1", port: 0 });
    client = await WsTestClient.connect(`${address.replace("http", "ws")}/ws`);

    let conversationId: string | null = null;
    for (const [i, content] of ["Once upon a time", "The little dog ran to the park."].entries()) {
      const mark = client.frames.length;
      const calls = sent.length;
      client.send({ type: "message.send", clientMessageId: `c${i}`, conversationId, content, options: { taskType: "creative" } });
      const accepted = await client.waitFor("message.accepted", () => true, 5000, mark);
      conversationId = accepted.conversationId;
      await client.waitFor("run.completed", (f) => f.runId === accepted.runId, 30_000, mark);
      const { context } = await client.waitFor("run.context", (f) => f.runId === accepted.runId, 1000, mark);
      expect(context.tokenizer).toBe("local:stories260K.gguf");
      expect(context.promptTokens).toBeGreaterThan(0);
      expect(context.promptTokens).toBeLessThanOrEqual(context.promptBudget);
      expect(sent.length).toBeGreaterThan(calls);
      expect(context.promptTokens).toBe(await model.countPromptTokens(sent[calls]!));
    }
  }, 60_000);
});
