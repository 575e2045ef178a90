import { describe, expect, it } from "vitest";
import { ScriptedChatModel } from "@alma/llm";
import type { ModelStatus } from "@alma/protocol";
import { RunHub } from "../runs/run-hub.js";
import { testConfig } from "../testing/test-config.js";
import type { ChatClient } from "./chat-client.js";
import { RequestError } from "./request-error.js";
import { RunAdmission } from "./run-admission.js";
import { LocalRateLimiter } from "../limits/rate-limiter.js";

const client = (id: string, address = "10.0.0.1"): ChatClient => ({ id, address, ready: () => true, send: () => {}, overflowed: () => {} });

function setup(env: Record<string, string> = {}, model = new ScriptedChatModel()) {
  let now = 0;
  const hub = new RunHub({ replayBufferEvents: 100, replayBufferBytes: 1 << 20, graceMs: 60_000, now: () => now });
  const config = testConfig(env);
  const messageLimiter = new LocalRateLimiter(config.limits.messagesPerMinute, 60_000, () => now);
  const admission = new RunAdmission({ config, hub, model, now: () => now, messageLimiter });
  const refusal = async (c: ChatClient, conversationId: string | null) => {
    try {
      admission.check(c, conversationId);
      await admission.takeMessage(c);
      return null;
    } catch (err) {
      if (!(err instanceof RequestError)) throw err;
      return { code: err.code, retryable: err.retryable, retryAfterMs: err.retryAfterMs, message: err.message };
    }
  };
  return { hub, admission, refusal, tick: (ms: number) => (now += ms) };
}

const run = (hub: RunHub, conversationId: string, owner: string) =>
  hub.create({ conversationId, userMessageId: `u-${conversationId}`, assistantMessageId: `a-${conversationId}`, ownerConnectionId: owner });

describe("RunAdmission", () => {
  it("admits a run when nothing stands in the way", async () => {
    expect(await setup().refusal(client("a"), null)).toBeNull();
  });

  it("refuses every run once shutting down, with a retry hint", async () => {
    const { admission, refusal } = setup();
    admission.stopAccepting();
    expect(await refusal(client("a"), null)).toMatchObject({ code: "shutting_down", retryable: true, retryAfterMs: 5000 });
  });

  it("refuses when no model is ready, naming the fixes", async () => {
    const model = new ScriptedChatModel();
    const status = { ...model.status(), ready: false, state: "loading" as const, problem: null, setup: ["wait for the download"] };
    const { refusal } = setup({}, Object.assign(model, { status: () => status }));
    expect(await refusal(client("a"), null)).toMatchObject({
      code: "model_not_ready",
      retryable: true,
      message: "No model is ready (loading). To fix it: wait for the download.",
    });
  });

  it("asks an unavailable model again before refusing: a model whose server just came up admits the run", async () => {
    const model = new ScriptedChatModel();
    const ready = model.status();
    let status: ModelStatus = { ...ready, ready: false, state: "unavailable", problem: "could not reach the model server", setup: ["start it"] };
    let rechecks = 0;
    const recheck = async () => {
      rechecks++;
      status = ready;
      return status;
    };
    const { admission } = setup({}, Object.assign(model, { status: () => status, recheck }));
    expect(await admission.admit(client("a"), null, async () => "started")).toBe("started");
    expect(rechecks).toBe(1);
    // ready: admitted without asking again
    expect(await admission.admit(client("a"), null, async () => "again")).toBe("again");
    expect(rechecks).toBe(1);
  });

  it("refuses with model_not_ready when the model is still unavailable after asking again, starting nothing", async () => {
    const model = new ScriptedChatModel();
    const status = { ...model.status(), ready: false, state: "unavailable" as const, problem: "could not reach the model server", setup: ["start it"] };
    let rechecks = 0;
    const recheck = async () => {
      rechecks++;
      return status;
    };
    const { admission } = setup({}, Object.assign(model, { status: () => status, recheck }));
    let started = false;
    const refused = await admission
      .admit(client("a"), null, async () => {
        started = true;
      })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RequestError);
    expect(refused).toMatchObject({ code: "model_not_ready", retryable: false });
    expect((refused as RequestError).message).toBe("No model is ready: could not reach the model server. To fix it: start it.");
    expect(rechecks).toBe(1);
    expect(started).toBe(false);
  });

  it("allows one run per conversation", async () => {
    const { hub, refusal } = setup();
    run(hub, "c1", "b");
    expect(await refusal(client("a"), "c1")).toMatchObject({ code: "conflict", retryable: true });
    expect(await refusal(client("a"), "c2")).toBeNull();
  });

  it("caps runs per connection and per server", async () => {
    const { hub, refusal } = setup({ ALMA_MAX_RUNS_PER_CONNECTION: "1", ALMA_MAX_RUNS_PER_SERVER: "2" });
    run(hub, "c1", "a");
    expect(await refusal(client("a"), null)).toMatchObject({ code: "too_many_runs", retryAfterMs: 1000 });
    run(hub, "c2", "b");
    expect(await refusal(client("c"), null)).toMatchObject({ code: "too_many_runs", retryAfterMs: 2000, message: expect.stringMatching(/server is busy/) });
  });

  it("limits messages per minute per address, across its connections", async () => {
    const { refusal, tick } = setup({ ALMA_MESSAGES_PER_MINUTE: "2" });
    expect(await refusal(client("a"), null)).toBeNull();
    expect(await refusal(client("b"), null)).toBeNull();
    expect(await refusal(client("c"), null)).toMatchObject({ code: "rate_limited", retryable: true });
    expect(await refusal(client("d", "10.0.0.2"), null)).toBeNull();
    tick(60_001);
    expect(await refusal(client("c"), null)).toBeNull();
  });
});
