import { createTestDatabase, type TestDatabase } from "@alma/store";
import type { BenchChild } from "../lib/child.js";
import { openBenchRedis } from "../lib/bench-redis.js";
import { crossInstanceClient } from "./cross-instance-client.js";
import { almaClient } from "./stream-clients.js";
import { type AlmaServerOptions, PathSkipped, type PathUnderTest, pathLabels, startAlmaServer } from "./start-paths.js";

/**
 * alma's Redis paths, each on a key prefix of its own (deleted after):
 * - `alma-redis`: one instance with ALMA_REDIS_URL, SQLite as on the in-process path, so the difference is Redis alone
 *   (every event appended to the run's stream, claims, heartbeats, the change feed);
 * - `alma-redis-other`: two instances on one Redis and one PostgreSQL database (created for the run, dropped after;
 *   two instances cannot share a SQLite file), the answer run on A and the measured viewer on B.
 * A Redis or PostgreSQL that does not answer throws PathSkipped with the line to print.
 */
export async function startRedisPath(
  name: "alma-redis" | "alma-redis-other",
  upstreamUrl: string,
  alma: Omit<AlmaServerOptions, "upstreamUrl"> = {},
): Promise<PathUnderTest> {
  const opened = await openBenchRedis();
  if (!opened.redis) throw new PathSkipped(opened.skipped);
  const redis = opened.redis;
  const start = (instanceId: string, extra: Record<string, string> = {}) =>
    startAlmaServer({ ...alma, upstreamUrl, almaEnv: { ...alma.almaEnv, ...redis.env(instanceId), ...extra } });
  const started: BenchChild<{ url: string }>[] = [];
  let db: TestDatabase | null = null;
  const cleanup = async () => {
    await redis.cleanup();
    await db?.drop();
  };
  try {
    if (name === "alma-redis") {
      const child = await start("bench-redis-a");
      return { name, label: pathLabels[name], child, cleanup, connect: (o) => almaClient(child.ready.url, { newConversationEachTime: o?.fresh }) };
    }
    try {
      db = await createTestDatabase();
    } catch (error) {
      throw new PathSkipped(`skipped: PostgreSQL not reachable (${(error as Error).message}; set ALMA_TEST_DATABASE_URL or PGHOST/PGPORT/PGUSER)`);
    }
    const dbEnv = { ALMA_DATABASE_URL: db.url };
    // one after the other: the second start finds the migrations applied (they run under an advisory lock anyway)
    started.push(await start("bench-redis-a", dbEnv));
    started.push(await start("bench-redis-b", dbEnv));
    const [a, b] = started as [BenchChild<{ url: string }>, BenchChild<{ url: string }>];
    return { name, label: pathLabels[name], child: a, others: [b], cleanup, connect: () => crossInstanceClient(a.ready.url, b.ready.url) };
  } catch (error) {
    await Promise.all(started.map((c) => c.stop()));
    await cleanup().catch(() => undefined);
    throw error;
  }
}
