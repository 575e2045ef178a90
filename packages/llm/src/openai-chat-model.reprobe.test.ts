import type { ModelStatus } from "@alma/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { OpenAIChatModel, type OpenAIChatModelOptions } from "./openai-chat-model.js";
import { recheckModel } from "./recheck-model.js";
import { DEFAULT_REPROBE_SCHEDULE, reprobeDelay } from "./reprobe-schedule.js";
import { question } from "./testing/fake-openai-model.js";
import { lateServer, modelsHandler } from "./testing/late-server.js";
import { streamFailure } from "./testing/read-chat-stream.js";

const NEVER = 600_000;
const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
});

async function setup(reprobe: OpenAIChatModelOptions["reprobe"]) {
  const server = await lateServer();
  const model = new OpenAIChatModel({ baseURL: server.url, apiKey: "sk-test", model: "my-model", discoverWindow: false, reprobe });
  opened.push(model, server);
  const states: string[] = [];
  model.onStatus((s) => {
    if (states.at(-1) !== s.state) states.push(s.state);
  });
  return { server, model, states };
}

describe("OpenAIChatModel asks an unavailable server again", () => {
  it("a server not up at start: unavailable, then ready on a background re-probe once it listens, on the same model", async () => {
    // the auth schedule never fires here: only the unreachable one can make it ready
    const { server, model, states } = await setup({ initialDelayMs: 20, maxDelayMs: 100, authDelayMs: NEVER });
    const first = await model.probe();
    expect(first).toMatchObject({ ready: false, state: "unavailable" });
    expect(first.problem).toContain("check OPENAI_BASE_URL");
    expect(first.problem).toContain("no restart needed");
    expect(first.setup.length).toBeGreaterThan(0);
    await server.start(modelsHandler("my-model"));
    await expect.poll(() => model.status().state, { timeout: 15_000 }).toBe("ready");
    expect(model.status()).toMatchObject({ ready: true, problem: null, setup: [] });
    expect(states).toEqual(["unavailable", "ready"]);
    expect(server.seen.requests).toContain("GET /v1/models");
  });

  it("a refused key is asked again on its own, slower schedule, and the model is ready once the key is accepted", async () => {
    let refuse = true;
    // the unreachable schedule never fires here: only the auth one can make it ready
    const { server, model, states } = await setup({ initialDelayMs: NEVER, maxDelayMs: NEVER, authDelayMs: 30 });
    await server.start(modelsHandler("my-model", { refuseKey: () => refuse }));
    const first = await model.probe();
    expect(first).toMatchObject({ ready: false, state: "unavailable" });
    expect(first.problem).toContain("check OPENAI_API_KEY");
    expect(first.problem).toContain("no restart needed once the key is accepted");
    await expect.poll(() => server.seen.requests.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    expect(model.status().state).toBe("unavailable");
    refuse = false;
    await expect.poll(() => model.status().state, { timeout: 15_000 }).toBe("ready");
    expect(states).toEqual(["unavailable", "ready"]);
  });

  it("a 401 during a chat makes the model unavailable until a re-probe finds the key accepted", async () => {
    let refuse = true;
    const { server, model, states } = await setup({ initialDelayMs: NEVER, maxDelayMs: NEVER, authDelayMs: 30 });
    await server.start(modelsHandler("my-model", { refuseKey: () => refuse }));
    expect(model.status().ready).toBe(true);
    const thrown = await streamFailure(model.stream(question, { maxOutputTokens: 10 }), []);
    expect(thrown.code).toBe("provider_auth");
    expect(model.status()).toMatchObject({ ready: false, state: "unavailable" });
    expect(model.status().problem).toContain("OPENAI_API_KEY");
    refuse = false;
    await expect.poll(() => model.status().state, { timeout: 15_000 }).toBe("ready");
    expect(states).toEqual(["unavailable", "ready"]);
  });

  it("recheck asks at once, without waiting for the next scheduled re-probe", async () => {
    const { server, model } = await setup({ initialDelayMs: NEVER, maxDelayMs: NEVER, authDelayMs: NEVER });
    expect((await model.probe()).state).toBe("unavailable");
    await server.start(modelsHandler("my-model"));
    expect((await recheckModel(model)).state).toBe("ready");
    expect(server.seen.requests).toEqual(["GET /v1/models"]);
  });

  it("recheck stops waiting after its bound, and the probe it started still makes the model ready", async () => {
    const { server, model } = await setup({ initialDelayMs: NEVER, maxDelayMs: NEVER, authDelayMs: NEVER });
    expect((await model.probe()).state).toBe("unavailable");
    await server.start(modelsHandler("my-model", { delayMs: 500 }));
    expect((await model.recheck(20)).state).toBe("unavailable");
    await expect.poll(() => model.status().state, { timeout: 15_000 }).toBe("ready");
  });

  it("probes one at a time: rechecks and probes at once share the request in flight", async () => {
    const { server, model } = await setup({ initialDelayMs: NEVER, maxDelayMs: NEVER, authDelayMs: NEVER });
    expect((await model.probe()).state).toBe("unavailable");
    await server.start(modelsHandler("my-model", { delayMs: 200 }));
    const all = await Promise.all([model.recheck(10_000), model.recheck(10_000), model.probe(), model.recheck(10_000), model.probe()]);
    expect(all.map((s) => s.state)).toEqual(["ready", "ready", "ready", "ready", "ready"]);
    expect(server.seen.requests).toEqual(["GET /v1/models"]);
    expect(server.seen.maxInFlight).toBe(1);
  });

  it("a model that is ready is not asked again, nor OpenAI without a key, and close stops the re-probes", async () => {
    let calls = 0;
    const counting = (async () => {
      calls++;
      throw new Error("no network in this test");
    }) as unknown as typeof fetch;
    const noKey = new OpenAIChatModel({ fetch: counting, reprobe: { initialDelayMs: 10, authDelayMs: 10 } });
    opened.push(noKey);
    expect((await recheckModel(noKey)).state).toBe("unavailable");
    expect(calls).toBe(0);

    const { server, model } = await setup({ initialDelayMs: 20, maxDelayMs: 20, authDelayMs: 20 });
    expect((await model.probe()).state).toBe("unavailable");
    await model.close();
    await server.start(modelsHandler("my-model"));
    // many schedule periods go by: a closed model asks nothing
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.seen.requests).toEqual([]);
    expect(model.status().state).toBe("unavailable");

    const ready = new OpenAIChatModel({ baseURL: server.url, apiKey: "sk-test", model: "my-model", discoverWindow: false });
    opened.push(ready);
    const status: ModelStatus = await recheckModel(ready);
    expect(status.state).toBe("ready");
    expect(server.seen.requests).toEqual([]);
  });

  it("reprobe: false keeps the old behaviour: no background re-probe", async () => {
    const { server, model } = await setup(false);
    expect((await model.probe()).state).toBe("unavailable");
    expect(model.status().problem).not.toContain("no restart needed");
    await server.start(modelsHandler("my-model"));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.seen.requests).toEqual([]);
  });
});

describe("reprobeDelay", () => {
  it("backs off from 2 s doubling to 30 s while the server is unreachable, and waits a minute after a refused key", () => {
    const full = () => 1;
    expect([1, 2, 3, 4, 5, 6].map((a) => reprobeDelay(DEFAULT_REPROBE_SCHEDULE, "unreachable", a, full))).toEqual([2000, 4000, 8000, 16000, 30000, 30000]);
    expect(reprobeDelay(DEFAULT_REPROBE_SCHEDULE, "auth", 1, full)).toBe(60_000);
    expect(reprobeDelay(DEFAULT_REPROBE_SCHEDULE, "auth", 9, full)).toBe(60_000);
    // jitter only shortens, by at most its share
    expect(reprobeDelay(DEFAULT_REPROBE_SCHEDULE, "unreachable", 1, () => 0)).toBe(1500);
    expect(DEFAULT_REPROBE_SCHEDULE.sendWaitMs).toBeLessThanOrEqual(3000);
  });
});
