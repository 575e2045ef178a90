import { afterEach, expect, it } from "vitest";
import { capableResponder } from "@alma/agent/testing";
import { OpenAIChatModel, ScriptedChatModel, type ChatModel } from "@alma/llm";
import { startFakeOpenAI, type FakeOpenAIServer } from "@alma/testing";
import { describeOnEachLiveRunPath, type LiveRunPath } from "../testing/describe-on-each-live-run-path.js";
import type { WsTestClient } from "../testing/ws-test-client.js";

let fake: FakeOpenAIServer | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

// flushes far apart: what the database holds mid-run lags well behind the live answer
const serve = (path: LiveRunPath, model: ChatModel) => path.start({ model, env: { ALMA_FLUSH_INTERVAL_MS: "5000" } });

/**
 * A viewer that opens the conversation mid-answer (a reload, a second tab): the history's answer, then every event
 * after the index it names. Returns what the viewer shows at the end, per step and for the answer.
 */
async function joinMidRun(connect: () => Promise<WsTestClient>, conversationId: string) {
  const v = await connect();
  v.send({ type: "conversation.history", requestId: "h", conversationId });
  const h = await v.waitFor("conversation.history.result", (f) => f.requestId === "h");
  const live = h.messages.at(-1)!;
  const run = h.activeRun;
  if (!run) return null;
  v.send({ type: "run.resume", runId: run.runId, afterIndex: run.lastIndex });
  await v.waitForRunEnd(run.runId, 30_000);
  const after = v.frames.filter((f) => "runId" in f && f.runId === run.runId && "index" in f && f.index > run.lastIndex);
  const answer = live.content + (await after.flatMap((f) => (f.type === "run.token" && f.stepId === null ? [f.text] : []))).join("");
  const steps = new Map((live.steps ?? []).map((s) => [s.id, s.text]));
  for (const f of after) if (f.type === "run.token" && f.stepId !== null) steps.set(f.stepId, (steps.get(f.stepId) ?? "") + f.text);
  return { answer, steps, joinedAt: run.lastIndex };
}

describeOnEachLiveRunPath("a viewer that joins a live answer sees every token once", (path) => {
  it("reload or second tab mid-answer: the history's text plus the events after it is the stored answer, at every join point", async () => {
    const words = Array.from({ length: 300 }, (_, i) => ` w${i}`);
    const { first, second } = await serve(path, new ScriptedChatModel({ reply: () => ({ tokens: words }), tokensPerSecond: 150 }));
    const { app } = first;
    const a = await first.connect();
    a.send({ type: "message.send", clientMessageId: "m", content: "count for me", options: { taskType: "conversational", maxOutputTokens: 400 } });
    const { runId, conversationId } = await a.waitFor("message.accepted");
    const joins = [];
    for (const seq of [3, 40, 90, 160, 240]) {
      await a.waitFor("run.token", (t) => t.runId === runId && t.seq >= seq, 20_000);
      joins.push(joinMidRun(second.connect, conversationId));
    }
    await a.waitForRunEnd(runId!, 30_000);
    const stored = (await app.alma.store.listMessages(conversationId)).at(-1)!;
    expect(stored.content).toBe(words.join(""));
    const seen = await Promise.all(joins);
    for (const s of seen) {
      expect(s).not.toBeNull();
      expect(s!.answer).toBe(stored.content);
    }
    // the joins really happened mid-answer, at different points
    expect(new Set(seen.map((s) => s!.joinedAt)).size).toBe(joins.length);
  }, 60_000);

  it("an analytical answer's steps too: each step's text from history plus its later tokens is the stored step", async () => {
    fake = await startFakeOpenAI({ flavour: "vllm", contextWindow: 32_768, models: ["m"], handler: capableResponder({ tokensPerSecond: 400 }) });
    const { first, second } = await serve(path, new OpenAIChatModel({ baseURL: fake.url, model: "m" }));
    const { app } = first;
    const a = await first.connect();
    a.send({
      type: "message.send",
      clientMessageId: "m",
      content: "Compare Redis and RabbitMQ for a job queue and recommend one",
      options: { taskType: "analytical" },
    });
    const { runId, conversationId } = await a.waitFor("message.accepted");
    await a.waitFor("run.token", (t) => t.runId === runId && t.stepId !== null && t.seq > 20, 20_000);
    const mid = joinMidRun(second.connect, conversationId);
    await a.waitFor("run.token", (t) => t.runId === runId && t.stepId === null && t.seq > 5, 30_000);
    const late = joinMidRun(second.connect, conversationId);
    await a.waitForRunEnd(runId!, 60_000);
    const stored = (await app.alma.store.listMessages(conversationId)).at(-1)!;
    expect(stored.steps!.length).toBeGreaterThanOrEqual(2);
    for (const s of [await mid, await late]) {
      expect(s).not.toBeNull();
      expect(s!.answer).toBe(stored.content);
      for (const step of stored.steps!) expect(s!.steps.get(step.id) ?? "").toBe(step.text);
    }
  }, 90_000);
});
