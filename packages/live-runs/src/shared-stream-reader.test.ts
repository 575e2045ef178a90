import type { RunEvent } from "@alma/protocol";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisKeys } from "./redis-keys.js";
import { entryFields, entryId } from "./run-event-codec.js";
import { type FollowEnd, RunFollower } from "./run-follower.js";
import { openReaderConnection, SharedStreamReader } from "./shared-stream-reader.js";
import { eventually, openTestRedis, runEvents } from "./test-redis.test-helpers.js";

let redis: Redis;
let keys: RedisKeys;
let cleanup: () => Promise<void>;
const readers: SharedStreamReader[] = [];
const connections: Redis[] = [];

beforeAll(async () => {
  ({ redis, keys, cleanup } = await openTestRedis());
});

afterAll(async () => {
  for (const r of readers) r.close();
  for (const c of connections) c.disconnect();
  await cleanup();
});

/** a reader whose XREAD blocks "forever": a run it leaves out of its XREAD is never read unless it is woken */
function newReader(conn = openReaderConnection(redis)): SharedStreamReader {
  connections.push(conn);
  const reader = new SharedStreamReader({
    reader: conn,
    control: redis,
    streamKey: (runId) => keys.runEvents(runId),
    blockMs: 0,
    count: 100,
    onError: () => {},
  });
  readers.push(reader);
  return reader;
}

function follower(runId: string) {
  const got: RunEvent[] = [];
  const ends: FollowEnd[] = [];
  const f = new RunFollower(
    runId,
    -1,
    (e) => got.push(e),
    (end) => ends.push(end),
    false,
  );
  return { f, got, ends };
}

async function write(events: readonly RunEvent[]): Promise<void> {
  for (const e of events) await redis.xadd(keys.runEvents(e.runId), entryId(e.index), ...entryFields(e));
}

describe("SharedStreamReader", () => {
  it("reads a run that joined while the reader was starting (before its first XREAD), though no other run writes", async () => {
    const reader = newReader();
    const quiet = follower("starting-quiet");
    const joined = follower("starting-joined");
    // the first attach starts the loop, which asks for its connection's id before its first XREAD; the second
    // joins in that gap
    reader.attach(quiet.f);
    reader.attach(joined.f);
    const events = runEvents("starting-joined", 2);
    await write(events);
    await eventually(async () => joined.ends.length > 0, "the joined run's follow to end");
    expect(joined.got).toEqual(events);
    expect(joined.ends).toEqual([{ reason: "ended", lastIndex: 2 }]);
    expect(quiet.got).toEqual([]);
  });

  it("a run joining while the reader blocks on others is read at once, in order, and dropped once ended", async () => {
    const reader = newReader();
    const quiet = follower("blocked-quiet");
    reader.attach(quiet.f);
    // let the reader block on the first run alone
    await new Promise((resolve) => setTimeout(resolve, 50));
    const joined = follower("blocked-joined");
    reader.attach(joined.f);
    const events = runEvents("blocked-joined", 5);
    await write(events);
    await eventually(async () => joined.ends.length > 0, "the joined run's follow to end");
    expect(joined.got).toEqual(events);
    expect(reader.has("blocked-joined")).toBe(false);
    expect(reader.has("blocked-quiet")).toBe(true);
  });

  it("after its connection dropped mid-block, a run that joins is read: the XREAD is asked again on the new connection, whose id the reader learns", async () => {
    const conn = openReaderConnection(redis);
    const id = Number(await conn.call("CLIENT", "ID"));
    const reader = newReader(conn);
    const quiet = follower("dropped-quiet");
    reader.attach(quiet.f);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // the connection is cut while its XREAD blocks (a Redis restart, a network blip); ioredis reconnects
    await redis.call("CLIENT", "KILL", "ID", String(id));
    await eventually(async () => conn.status === "ready", "the reader to reconnect");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const joined = follower("dropped-joined");
    reader.attach(joined.f);
    const events = runEvents("dropped-joined", 3);
    await write(events);
    await eventually(async () => joined.ends.length > 0, "the run joined after the reconnect to be read");
    expect(joined.got).toEqual(events);
    // the run it followed before the drop goes on from its cursor
    const more = runEvents("dropped-quiet", 2);
    await write(more);
    await eventually(async () => quiet.ends.length > 0, "the earlier run to be read on");
    expect(quiet.got).toEqual(more);
  });

  it("a connection that drops while the reader asks its id (before any XREAD) does not leave the reader waiting for good", async () => {
    const conn = openReaderConnection(redis);
    const id = Number(await conn.call("CLIENT", "ID"));
    // the connection is busy, so the reader's CLIENT ID waits behind this command, then both are cut
    void conn.call("BLPOP", `${keys.prefix}never`, "0").catch(() => {});
    const reader = newReader(conn);
    const run = follower("dropped-at-id");
    reader.attach(run.f);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await redis.call("CLIENT", "KILL", "ID", String(id));
    const events = runEvents("dropped-at-id", 2);
    await write(events);
    await eventually(async () => run.ends.length > 0, "the run to be read once the reader reconnected");
    expect(run.got).toEqual(events);
  });
});
