import type { RunEvent } from "@alma/protocol";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisKeys } from "./redis-keys.js";
import { RedisRunStream } from "./redis-run-stream.js";
import { eventually, foldEach, openTestRedis, runEvents } from "./test-redis.test-helpers.js";

let redis: Redis;
let keys: RedisKeys;
let cleanup: () => Promise<void>;
const streams: RedisRunStream[] = [];

function newStream(options: Partial<ConstructorParameters<typeof RedisRunStream>[0]> = {}): RedisRunStream {
  const stream = new RedisRunStream({ redis, keys, graceMs: 60_000, ...options });
  streams.push(stream);
  return stream;
}

beforeAll(async () => {
  ({ redis, keys, cleanup } = await openTestRedis());
});

afterAll(async () => {
  for (const s of streams) await s.close();
  await cleanup();
});

/** writes the events a few per tick, as a model's chunks come */
async function writeInTicks(stream: RedisRunStream, events: readonly RunEvent[], perTick: number): Promise<void> {
  const states = foldEach(events[0]!.runId, events);
  for (let i = 0; i < events.length; i++) {
    stream.append(events[i]!, states[i]!);
    if (i % perTick === perTick - 1) await new Promise((resolve) => setImmediate(resolve));
  }
  await stream.flush();
}

describe("RedisRunStream", () => {
  it("readAfter gives exactly the events after every index, in order", async () => {
    const writer = newStream();
    const events = runEvents("read-after", 40);
    await writeInTicks(writer, events, 7);
    for (let after = -1; after < events.length; after++) {
      const read = await writer.readAfter("read-after", after);
      expect(read.map((e) => e.index)).toEqual(events.slice(after + 1).map((e) => e.index));
    }
    expect(await writer.readAfter("read-after", 10)).toEqual(events.slice(11));
    expect((await writer.readAfter("read-after", -1, 5)).map((e) => e.index)).toEqual([0, 1, 2, 3, 4]);
  });

  it("lastIndex is the newest event's index, -1 for a run that wrote nothing", async () => {
    const writer = newStream();
    expect(await writer.lastIndex("last-index")).toBe(-1);
    const events = runEvents("last-index", 12);
    await writeInTicks(writer, events, 5);
    expect(await writer.lastIndex("last-index")).toBe(events.at(-1)!.index);
  });

  it("a follower on another instance that starts mid-write gets every event once, in order", async () => {
    const writer = newStream();
    const viewers = [newStream(), newStream({ readerConnections: 2 })];
    const events = runEvents("mid-write", 3_000);
    const states = foldEach("mid-write", events);
    // the first part is in Redis before anyone follows
    for (let i = 0; i < 500; i++) writer.append(events[i]!, states[i]!);
    await writer.flush();
    const received: number[][] = [[], [], [], []];
    const follows: Promise<unknown>[] = [];
    const writing = (async () => {
      for (let i = 500; i < events.length; i++) {
        writer.append(events[i]!, states[i]!);
        // followers join while the writes go on, from different indexes, two of them sharing one run's reader
        if (i === 600) follows.push(viewers[0]!.follow("mid-write", 99, (e) => received[0]!.push(e.index)));
        if (i === 601) follows.push(viewers[0]!.follow("mid-write", -1, (e) => received[1]!.push(e.index)));
        if (i === 1_500) follows.push(viewers[1]!.follow("mid-write", 1_200, (e) => received[2]!.push(e.index)));
        if (i % 5 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      await writer.flush();
    })();
    await writing;
    // joins after the terminal event: reads what is there and ends
    follows.push(viewers[1]!.follow("mid-write", 2_990, (e) => received[3]!.push(e.index)));
    const ends = await Promise.all(follows);
    const range = (from: number) => events.slice(from).map((e) => e.index);
    expect(received[0]).toEqual(range(100));
    expect(received[1]).toEqual(range(0));
    expect(received[2]).toEqual(range(1_201));
    expect(received[3]).toEqual(range(2_991));
    for (const end of ends) expect(end).toEqual({ reason: "ended", lastIndex: 3_000 });
  });

  it("a late viewer joins from the state snapshot and reads only what follows it", async () => {
    const writer = newStream({ snapshotIntervalMs: 0 });
    const events = runEvents("snapshot", 30);
    const states = foldEach("snapshot", events);
    for (let i = 0; i < 20; i++) writer.append(events[i]!, states[i]!);
    await writer.flush();
    const snapshot = await newStream().readState("snapshot");
    expect(snapshot).toEqual(states[19]);
    expect(await writer.readLatestState("snapshot")).toEqual(states[19]);
    const viewer = newStream();
    const got: RunEvent[] = [];
    const following = viewer.follow("snapshot", snapshot!.lastIndex, (e) => got.push(e));
    for (let i = 20; i < events.length; i++) writer.append(events[i]!, states[i]!);
    await writer.flush();
    expect(await following).toEqual({ reason: "ended", lastIndex: 30 });
    expect(got).toEqual(events.slice(20));
    expect(await viewer.readState("snapshot")).toEqual(states[30]);
  });

  it("the latest state folds the events written after an older snapshot", async () => {
    const writer = newStream({ snapshotIntervalMs: 60_000 });
    const events = runEvents("stale-snapshot", 10);
    const states = foldEach("stale-snapshot", events);
    for (let i = 0; i < 8; i++) writer.append(events[i]!, states[i]!);
    await writer.flush();
    // only the first tick's state was snapshotted; the rest is in the stream
    expect((await writer.readState("stale-snapshot"))?.lastIndex).toBe(7);
    writer.append(events[8]!, states[8]!);
    await writer.flush();
    expect((await writer.readState("stale-snapshot"))?.lastIndex).toBe(7);
    expect(await writer.readLatestState("stale-snapshot")).toEqual(states[8]);
  });

  it("sets the run's keys to expire after the grace once it ended, and caps the stream", async () => {
    const writer = newStream({ graceMs: 30_000, maxLen: 100 });
    const events = runEvents("expiry", 1_000);
    const states = foldEach("expiry", events);
    for (let i = 0; i < 999; i++) writer.append(events[i]!, states[i]!);
    await writer.flush();
    // live: only the long safety TTL
    expect(await redis.pttl(keys.runEvents("expiry"))).toBeGreaterThan(30_000);
    expect(await redis.xlen(keys.runEvents("expiry"))).toBeLessThan(400);
    writer.append(events[999]!, states[999]!);
    writer.append(events[1_000]!, states[1_000]!);
    await writer.flush();
    for (const key of [keys.runEvents("expiry"), keys.runState("expiry")]) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(30_000);
    }
  });

  it("a viewer further behind than the capped stream holds is told, not handed a gap", async () => {
    const writer = newStream({ maxLen: 50 });
    const events = runEvents("trimmed", 600);
    await writeInTicks(writer, events, 10);
    const got: number[] = [];
    const end = await newStream().follow("trimmed", 3, (e) => got.push(e.index));
    expect(end.reason).toBe("too_far_behind");
    expect(got).toEqual([]);
  });

  it("ends on abort, and says when the run is unknown", async () => {
    const writer = newStream();
    const events = runEvents("aborted", 5);
    for (let i = 0; i < 3; i++) writer.append(events[i]!);
    await writer.flush();
    const viewer = newStream();
    const controller = new AbortController();
    const got: number[] = [];
    const following = viewer.follow(
      "aborted",
      -1,
      (e) => {
        got.push(e.index);
        if (e.index === 2) controller.abort();
      },
      controller.signal,
    );
    expect(await following).toEqual({ reason: "aborted", lastIndex: 2 });
    expect(got).toEqual([0, 1, 2]);
    await eventually(async () => viewer.stats.runsRead === 0, "the reader to drop the run");
    expect(await viewer.follow("never-was", -1, () => {})).toEqual({ reason: "not_found", lastIndex: -1 });
  });

  it("a survivor's terminal event is refused when the owner wrote that index first", async () => {
    const writer = newStream();
    const events = runEvents("takeover", 3);
    const states = foldEach("takeover", events);
    for (let i = 0; i < 3; i++) writer.append(events[i]!, states[i]!);
    await writer.flush();
    const survivor = newStream();
    const interrupted = { ...events[3]!, index: 2 } as RunEvent;
    expect(await survivor.appendTerminal(interrupted, states[2]!)).toBe(false);
    expect(await survivor.appendTerminal(events[3]!, states[3]!)).toBe(true);
    expect((await survivor.readAfter("takeover", -1)).map((e) => e.index)).toEqual([0, 1, 2, 3]);
    expect(await redis.pttl(keys.runEvents("takeover"))).toBeLessThanOrEqual(60_000);
  });
});
