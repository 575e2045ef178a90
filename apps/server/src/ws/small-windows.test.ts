import { describe, expect, it } from "vitest";
import { capableResponder } from "@alma/agent/testing";
import { startFakeOpenAI, type FakeOpenAIServer, type FakeServerFlavour } from "@alma/testing";
import type { ServerFrame, TaskTypeChoice } from "@alma/protocol";
import { testConfig } from "../testing/test-config.js";
import type { WsTestClient } from "../testing/ws-test-client.js";
import { useTestResources } from "../testing/use-test-resources.js";

let fake: FakeOpenAIServer | null = null;
const resources = useTestResources(async () => {
  await fake?.close();
  fake = null;
});

const WINDOW = 2048;
const TURNS = 60;

async function serve(env: Record<string, string> = {}) {
  // the model is built from the settings, as main.ts does: it learns the window the way a user's server tells it
  const config = testConfig({ ALMA_PROVIDER: "openai", OPENAI_BASE_URL: fake!.url, OPENAI_MODEL: "house-model", ALMA_SCRIPTED_TPS: "0", ...env });
  const { app, address, connect } = await resources.serve({ config });
  return { app, c: await connect(), address };
}

/** What people type over a long session: questions to work on, things to write, long pasted context. */
function turn(i: number): { content: string; taskType: TaskTypeChoice } {
  const filler = `Some background for turn ${i}: ${"we run a small web shop with a Postgres database, two app servers and a queue; ".repeat(3)}`;
  if (i % 3 === 0) return { content: `${filler}Compare Redis and RabbitMQ for our job queue and recommend one.`, taskType: "analytical" };
  if (i % 3 === 1) return { content: `${filler}Write a short poem about our on-call rotation.`, taskType: "creative" };
  return { content: `${filler}Thanks, that helps. What should we look at next?`, taskType: "auto" };
}

async function converse(c: WsTestClient, turns: number) {
  let conversationId: string | undefined;
  const ends: ServerFrame[] = [];
  for (let i = 0; i < turns; i++) {
    const { content, taskType } = turn(i);
    c.send({ type: "message.send", clientMessageId: `t${i}`, content, ...(conversationId ? { conversationId } : {}), options: { taskType } });
    const accepted = await c.waitFor("message.accepted", (f) => f.clientMessageId === `t${i}`);
    conversationId = accepted.conversationId;
    ends.push(await c.waitForRunEnd(accepted.runId!, 60_000));
  }
  return ends;
}

describe("a long conversation on a 2,048-token model, for each way a server tells (or hides) its window", () => {
  it.each(["vllm", "llamacpp", "ollama", "lmstudio"] as const)(
    "%s: 60 turns all complete, and no request ever exceeds the window the server tells",
    async (flavour: FakeServerFlavour) => {
      fake = await startFakeOpenAI({ flavour, contextWindow: WINDOW, models: ["house-model"], handler: capableResponder() });
      const { c, address } = await serve();
      const ends = await converse(c, TURNS);
      expect(ends.filter((e) => e.type !== "run.completed")).toEqual([]);
      // every turn was answered by the model (no cache), and the conversation outgrew the window: trimmed and summarized
      expect(ends.every((e) => e.type === "run.completed" && !e.cacheHit)).toBe(true);
      expect(ends.some((e) => e.type === "run.completed" && (e.metrics.context?.messagesTrimmed ?? 0) + (e.metrics.context?.messagesSummarized ?? 0) > 0)).toBe(
        true,
      );
      expect(fake.chatRequests().some((r) => JSON.stringify(r.body).includes("Updated summary:"))).toBe(true);
      const analytical = ends.filter((e) => e.type === "run.completed" && e.metrics.steps.length >= 2);
      // the analytical turns were planned, run and synthesized inside the window, not answered in one pass
      expect(analytical.length).toBe(TURNS / 3);
      for (const e of analytical) expect(e.type === "run.completed" && e.finishReason).toBe("stop");
      expect(fake.overWindowRequests()).toEqual([]);
      expect(fake.chatRequests().some((r) => r.truncatedPrompt)).toBe(false);
      expect(fake.chatRequests().every((r) => r.status === 200)).toBe(true);
      // the window's source is shown where users look
      const health = (await (await fetch(`${address}/health`)).json()) as { model: { window: { tokens: number; source: string; server: string } } };
      expect(health.model.window).toMatchObject({ tokens: WINDOW, source: "server", server: flavour });
      const context = c.frames.filter((f) => f.type === "run.context").at(-1);
      expect(context?.type === "run.context" && context.context).toMatchObject({ contextWindow: WINDOW, windowSource: "server" });
    },
    240_000,
  );

  it("openai-like (the window only in the refusal): 60 turns all complete, with at most one request refused", async () => {
    fake = await startFakeOpenAI({ contextWindow: WINDOW, handler: capableResponder() });
    const { c, address } = await serve({ OPENAI_API_KEY: "sk-test" });
    const ends = await converse(c, TURNS);
    expect(ends.filter((e) => e.type !== "run.completed")).toEqual([]);
    // alma assumed 4,096 until the first refusal stated 2,048: exactly one request refused, and never sent again as it was
    const refused = fake.chatRequests().filter((r) => r.status === 400);
    expect(refused).toHaveLength(1);
    const sameAsRefused = fake.chatRequests().filter((r) => r !== refused[0] && JSON.stringify(r.body) === JSON.stringify(refused[0]!.body));
    expect(sameAsRefused).toEqual([]);
    expect(
      fake
        .chatRequests()
        .slice(fake.chatRequests().indexOf(refused[0]!) + 1)
        .every((r) => r.status === 200),
    ).toBe(true);
    const health = (await (await fetch(`${address}/health`)).json()) as { model: { window: { tokens: number; source: string } } };
    expect(health.model.window).toMatchObject({ tokens: WINDOW, source: "error" });
  }, 240_000);

  it("ALMA_CONTEXT_WINDOW=2048 by hand: analytical answers are planned whole inside it, never refused for their budgets", async () => {
    fake = await startFakeOpenAI({ contextWindow: WINDOW, handler: capableResponder() });
    const { c } = await serve({ OPENAI_API_KEY: "sk-test", ALMA_CONTEXT_WINDOW: String(WINDOW) });
    const ends = await converse(c, 6);
    expect(ends.map((e) => e.type)).toEqual(Array(6).fill("run.completed"));
    expect(fake.chatRequests().filter((r) => r.status !== 200)).toEqual([]);
    expect(fake.overWindowRequests()).toEqual([]);
  }, 120_000);
});
