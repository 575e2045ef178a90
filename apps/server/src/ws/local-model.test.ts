import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { LocalChatModel } from "@alma/llm";
import { buildApp } from "../build-app.js";
import { testConfig } from "../testing/test-config.js";
import { WsTestClient } from "../testing/ws-test-client.js";

const MODEL_PATH = fileURLToPath(new URL("../../../../../shared/models/stories260K.gguf", import.meta.url));

let app: FastifyInstance | null = null;
let client: WsTestClient | null = null;
afterAll(async () => {
  client?.terminate();
  await app?.close();
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
    const answer = app.alma.store.listMessages(conversationId).at(-1)!;
    expect(answer.content).toBe(tokens.map((t) => t.text).join(""));
  }, 40_000);
});
