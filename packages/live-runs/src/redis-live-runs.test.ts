import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConversationChange } from "./conversation-changes.js";
import type { DeadInstance } from "./dead-instance-reaper.js";
import type { RedisKeys } from "./redis-keys.js";
import { RedisLiveRuns, type RedisLiveRunsOptions } from "./redis-live-runs.js";
import { eventually, foldEach, openTestRedis, runEvents, TEST_REDIS_URL } from "./test-redis.test-helpers.js";

let redis: Redis;
let keys: RedisKeys;
let prefix: string;
let cleanup: () => Promise<void>;
const started: RedisLiveRuns[] = [];

beforeAll(async () => {
  ({ redis, keys, prefix, cleanup } = await openTestRedis());
});

afterAll(async () => {
  for (const s of started) await s.close().catch(() => {});
  await cleanup();
});

/** one alma server's view of Redis: its own connections, instance id and callbacks */
async function server(instanceId: string, options: Partial<RedisLiveRunsOptions> = {}) {
  const stops: Array<{ runId: string; reason: string }> = [];
  const live = await RedisLiveRuns.start({
    url: TEST_REDIS_URL,
    prefix,
    instanceId,
    onStop: (runId, reason) => stops.push({ runId, reason }),
    ...options,
  });
  started.push(live);
  return { live, stops };
}

describe("RedisLiveRuns across two servers", () => {
  it("Stop pressed on one server reaches the server that runs the answer", async () => {
    const a = await server("stop-a");
    const b = await server("stop-b");
    await a.live.claim("run-stop", "c1");
    expect(await redis.get(keys.runOwner("run-stop"))).toBe("stop-a");
    expect(await b.live.requestStop("run-stop", "user")).toEqual({ delivered: true, owner: "stop-a" });
    await eventually(async () => a.stops.length > 0, "the stop to reach its owner");
    expect(a.stops).toEqual([{ runId: "run-stop", reason: "user" }]);
    expect(b.stops).toEqual([]);
    // on the owner itself it is a local call
    expect(await a.live.requestStop("run-stop", "again")).toEqual({ delivered: true, owner: "stop-a" });
    expect(a.stops).toHaveLength(2);
    expect(await b.live.requestStop("no-such-run", "user")).toEqual({ delivered: false, owner: null });
  });

  it("a stop sent while the owner's subscriber was away is read when it reconnects", async () => {
    const a = await server("missed-a");
    const b = await server("missed-b");
    await a.live.claim("run-missed", "c1");
    // the owner is not listening: published to nobody, but left in the stop key
    await a.live.control.close();
    expect(await b.live.requestStop("run-missed", "user")).toEqual({ delivered: false, owner: "missed-a" });
    expect(a.stops).toEqual([]);
    await a.live.control.start();
    // the subscriber connection drops and comes back: the owner reads its runs' stop keys
    const clients = String(await redis.call("CLIENT", "LIST", "TYPE", "pubsub"));
    const subscriber = clients.split("\n").find((line) => line.includes(" name=alma-pubsub-missed-a "));
    await redis.call("CLIENT", "KILL", "ID", /\bid=(\d+)/.exec(subscriber ?? "")![1]!);
    await eventually(async () => a.stops.length > 0, "the missed stop to be read after the reconnect");
    expect(a.stops[0]).toEqual({ runId: "run-missed", reason: "user" });
  });

  it("a viewer on the other server follows a run to its end, and the owner releases it", async () => {
    const a = await server("follow-a");
    const b = await server("follow-b");
    await a.live.claim("run-follow", "c1");
    const events = runEvents("run-follow", 200);
    const states = foldEach("run-follow", events);
    const got: number[] = [];
    const following = b.live.stream.follow("run-follow", -1, (e) => got.push(e.index));
    for (let i = 0; i < events.length; i++) {
      a.live.append(events[i]!, states[i]!);
      if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await following).toEqual({ reason: "ended", lastIndex: 200 });
    expect(got).toEqual(events.map((e) => e.index));
    await eventually(async () => (await redis.sismember(keys.instanceRuns("follow-a"), "run-follow")) === 0, "the run to be released");
    expect(a.live.ownership.ownedRuns()).toEqual([]);
  });

  it("an instance whose heartbeat expired with runs unended is handed to one survivor, with each run's last state", async () => {
    const reaped: DeadInstance[] = [];
    const survivors = await Promise.all(
      ["reap-s1", "reap-s2"].map((id) =>
        server(id, {
          heartbeatTtlMs: 400,
          heartbeatIntervalMs: 100,
          reapIntervalMs: 50,
          onDeadInstance: async (dead) => {
            reaped.push(dead);
          },
        }),
      ),
    );
    const doomed = await server("reap-dead", { heartbeatTtlMs: 400, heartbeatIntervalMs: 100 });
    await doomed.live.claim("run-dies", "c1");
    // one that dies before its first event: only its claim names where its answer is
    await doomed.live.claim("run-early", "c-early");
    await doomed.live.claim("run-ends", "c1");
    const dying = runEvents("run-dies", 30).slice(0, 12);
    const dyingStates = foldEach("run-dies", dying);
    for (const [i, e] of dying.entries()) doomed.live.append(e, dyingStates[i]!);
    const ending = runEvents("run-ends", 3);
    const endingStates = foldEach("run-ends", ending);
    for (const [i, e] of ending.entries()) doomed.live.append(e, endingStates[i]!);
    await doomed.live.stream.flush();
    // alive: nobody reaps it
    expect(await survivors[0]!.live.reaper.findDeadInstances()).toEqual([]);
    // the process loses Redis for good (kill -9): no more beats, nothing cleaned up; its release of run-ends may
    // or may not have happened, and that run's stored final state says it ended either way
    doomed.live.redis.disconnect();
    await eventually(async () => reaped.length > 0, "a survivor to reap the dead instance");
    await eventually(async () => (await redis.sismember(keys.instances(), "reap-dead")) === 0, "the dead instance to be forgotten");
    expect(reaped).toHaveLength(1);
    expect(reaped[0]!.instanceId).toBe("reap-dead");
    const runs = [...reaped[0]!.runs].sort((x, y) => x.runId.localeCompare(y.runId));
    expect(runs).toEqual([
      { runId: "run-dies", state: dyingStates[11], conversationId: "c1" },
      { runId: "run-early", state: null, conversationId: "c-early" },
    ]);
    expect(runs[0]!.state?.text).toBe(dying.map((e) => (e.type === "run.token" ? e.text : "")).join(""));
    expect(await survivors[0]!.live.reaper.findDeadInstances()).toEqual([]);
  });

  it("after Redis lost everything (restarted empty), the owner writes its runs' ownership again: a stop from the other server still reaches it, and nothing is reaped", async () => {
    const reapedCalls: string[] = [];
    const a = await server("flush-a", { heartbeatTtlMs: 600, heartbeatIntervalMs: 100, onReaped: () => reapedCalls.push("a") });
    const b = await server("flush-b", { heartbeatTtlMs: 600, heartbeatIntervalMs: 100, reapIntervalMs: 50, onDeadInstance: async () => {} });
    await a.live.claim("run-flushed", "c-flushed");
    // every key of the deployment is gone, as after a restart of a Redis without persistence
    const gone = await redis.keys(`${prefix}*`);
    if (gone.length > 0) await redis.del(...gone);
    await eventually(async () => (await redis.get(keys.runOwner("run-flushed"))) === "flush-a", "the owner to write its ownership again");
    expect(await redis.get(keys.runConversation("run-flushed"))).toBe("c-flushed");
    expect(await redis.sismember(keys.instanceRuns("flush-a"), "run-flushed")).toBe(1);
    expect(await b.live.requestStop("run-flushed", "user")).toEqual({ delivered: true, owner: "flush-a" });
    await eventually(async () => a.stops.length > 0, "the stop to reach the owner");
    expect(reapedCalls).toEqual([]);
  });

  it("the owner of a run knows whether a live instance elsewhere has a viewer of it", async () => {
    const owner = await server("viewers-owner");
    const viewer = await server("viewers-b", { heartbeatTtlMs: 400, heartbeatIntervalMs: 100 });
    await owner.live.claim("run-viewed", "c1");
    expect(await owner.live.hasRemoteViewers("run-viewed")).toBe(false);
    // two tabs on B watch it: listed once, until the last leaves
    await viewer.live.viewers.watching("run-viewed");
    await viewer.live.viewers.watching("run-viewed");
    expect(await owner.live.hasRemoteViewers("run-viewed")).toBe(true);
    // an instance's own viewers are not "elsewhere"
    expect(await viewer.live.hasRemoteViewers("run-viewed")).toBe(false);
    await viewer.live.viewers.left("run-viewed");
    expect(await owner.live.hasRemoteViewers("run-viewed")).toBe(true);
    await viewer.live.viewers.left("run-viewed");
    expect(await owner.live.hasRemoteViewers("run-viewed")).toBe(false);
    // a viewer instance that dies (no heartbeat) keeps nothing going
    await viewer.live.viewers.watching("run-viewed");
    expect(await owner.live.hasRemoteViewers("run-viewed")).toBe(true);
    viewer.live.redis.disconnect();
    await eventually(async () => !(await owner.live.hasRemoteViewers("run-viewed")), "the dead viewer instance to stop counting");
  });

  it("a conversation change published on one server reaches the other's subscribers", async () => {
    const a = await server("changes-a");
    const b = await server("changes-b");
    const heardOnB: Array<{ conversationId: string; change: ConversationChange; origin: string }> = [];
    const heardOnA: ConversationChange[] = [];
    const offB = await b.live.changes.subscribe((conversationId, change, origin) => heardOnB.push({ conversationId, change, origin }));
    await a.live.changes.subscribe((_, change) => heardOnA.push(change));
    const created: ConversationChange = { type: "run.created", conversationId: "c1", runId: "r1", userMessageId: "u1", assistantMessageId: "a1" };
    await a.live.changes.publish("c1", created);
    await a.live.changes.publish("c1", { type: "conversation.deleted", conversationId: "c1", restorableUntil: 123 });
    await eventually(async () => heardOnB.length === 2, "both changes to reach the other server");
    expect(heardOnB).toEqual([
      { conversationId: "c1", change: created, origin: "changes-a" },
      { conversationId: "c1", change: { type: "conversation.deleted", conversationId: "c1", restorableUntil: 123 }, origin: "changes-a" },
    ]);
    // the publisher broadcast it locally already
    expect(heardOnA).toEqual([]);
    await offB();
    await expect(a.live.changes.publish("c1", { type: "conversation.restored" } as unknown as ConversationChange)).rejects.toThrow();
  });

  it("ping reports Redis for /health", async () => {
    const a = await server("ping-a");
    const health = await a.live.ping();
    expect(health.ok).toBe(true);
  });
});
