import { afterAll, describe, expect, it } from "vitest";
import { RedisLiveRuns } from "@alma/live-runs";
import { applyRunEvent, createRunState, type RunEvent } from "@alma/protocol";
import { useTestRedis } from "../testing/use-test-redis.js";
import { RemoteRunWatch } from "./remote-run-watch.js";
import type { RunSubscriber } from "./run-subscriber.js";

const redis = useTestRedis();
const started: RedisLiveRuns[] = [];
afterAll(async () => {
  for (const live of started) await live.close();
});

/** a run's events as a LiveRun stamps them, written to its stream with the fold after each */
function runWriter(live: RedisLiveRuns, runId: string) {
  let state = createRunState({ runId });
  let index = 0;
  const write = (event: RunEvent) => {
    state = applyRunEvent(state, event);
    live.append(event, state);
    index++;
  };
  return {
    tokens: async (n: number) => {
      for (let i = 0; i < n; i++) write({ type: "run.token", runId, index, at: 1_000 + index, seq: index, text: ` t${index}`, agent: "manager", stepId: null });
      await live.stream.flush();
    },
    end: async () => {
      write({
        type: "run.error",
        runId,
        index,
        at: 9_000,
        conversationId: "c",
        assistantMessageId: "a",
        code: "internal",
        message: "the test run ended",
        retryable: true,
        partial: true,
        metrics: null,
      });
      await live.stream.flush();
    },
  };
}

describe("RemoteRunWatch (a viewer of another instance's run, on the real Redis)", () => {
  it("a congested socket is sent nothing until it drains, then resumes after the last event sent: every event once, in order", async () => {
    const live = await RedisLiveRuns.start({ url: redis.url, prefix: redis.prefix, instanceId: "watch-owner", onStop: () => {} });
    started.push(live);
    await live.claim("run-w", "c1");
    const writer = runWriter(live, "run-w");
    await writer.tokens(200);

    const got: number[] = [];
    let ready = true;
    let congestions = 0;
    let sentWhileCongested = 0;
    const sub: RunSubscriber = {
      id: "viewer",
      ready: () => ready,
      send: (e) => {
        if (!ready) sentWhileCongested++;
        got.push(e.index);
        // every 40 events the socket's buffer fills up; it drains a little later
        if (got.length % 40 === 0) {
          ready = false;
          congestions++;
          setTimeout(() => (ready = true), 60);
        }
      },
      overflowed: () => {
        throw new Error("the viewer must not be told it fell behind");
      },
    };
    const done = new Promise<void>((resolve) => {
      new RemoteRunWatch({
        runId: "run-w",
        sub,
        afterIndex: 9,
        follow: (id, after, onEvent, signal) => live.stream.follow(id, after, onEvent, signal),
        onFailed: (err) => {
          throw err;
        },
        onDone: resolve,
      }).start();
    });
    // live events after the catch-up, while the watch is congested or not
    await writer.tokens(60);
    await writer.end();
    await done;
    expect(congestions).toBeGreaterThan(3);
    expect(sentWhileCongested).toBe(0);
    expect(got).toEqual(Array.from({ length: 251 }, (_, i) => 10 + i));
  }, 30_000);
});
