import { afterEach, describe } from "vitest";
import type { ChatModel } from "@alma/llm";
import { createTestDatabase, type TestDatabase } from "@alma/store";
import { testConfig } from "./test-config.js";
import { useTestRedis } from "./use-test-redis.js";
import { useTestResources } from "./use-test-resources.js";

type Served = Awaited<ReturnType<ReturnType<typeof useTestResources>["serve"]>>;

export interface LiveRunServers {
  /** where the test's answers are written (its first socket connects here) */
  first: Served;
  /** where the other viewer or the reconnect goes: `first` itself in-process, another instance on Redis */
  second: Served;
  /** every server started: one in-process, two on Redis */
  servers: Served[];
}

export interface LiveRunPath {
  readonly kind: "in-process" | "redis";
  /** starts the servers of one test (closed after it), each on `model` (not owned by them) with `env` over the test config */
  start(options: { model: ChatModel; env?: Record<string, string> }): Promise<LiveRunServers>;
}

/**
 * Declares a live-run suite twice: on one server in-process, and on two instances sharing one PostgreSQL database
 * and one Redis prefix (the test's own, dropped after it and the file), so a second viewer or a reconnect lands on the
 * instance that does not run the answer. The same assertions then hold the no-gap guarantee on both paths.
 */
export function describeOnEachLiveRunPath(name: string, body: (path: LiveRunPath) => void): void {
  describe(`${name} (in-process)`, () => {
    const resources = useTestResources();
    body({
      kind: "in-process",
      start: async ({ model, env }) => {
        const server = await resources.serve({ config: testConfig(env), model });
        return { first: server, second: server, servers: [server] };
      },
    });
  });

  // two servers and a database per test: more time than one in-process server needs on a busy machine
  describe(`${name} (Redis, two instances)`, { timeout: 30_000 }, () => {
    const redis = useTestRedis();
    // each test a database of its own, as each in-process test has its own in-memory one (a clientMessageId of an
    // earlier test would be answered as a duplicate); dropped after the test's servers closed (hooks run in reverse)
    const dbs: TestDatabase[] = [];
    afterEach(async () => {
      for (const db of dbs.splice(0)) await db.drop();
    });
    const resources = useTestResources();
    let tests = 0;
    body({
      kind: "redis",
      start: async ({ model, env }) => {
        const db = await createTestDatabase();
        dbs.push(db);
        const test = tests++;
        const serve = (side: string) =>
          resources.serve({
            config: testConfig({
              ...redis.env,
              // each test's keys under the file's prefix: the shared answer cache would otherwise answer a later test's question
              ALMA_REDIS_PREFIX: `${redis.prefix}${test}:`,
              ALMA_DATABASE_URL: db.url,
              ALMA_INSTANCE_ID: `live-${test}-${side}`,
              ...env,
            }),
            model,
          });
        const first = await serve("a");
        const second = await serve("b");
        return { first, second, servers: [first, second] };
      },
    });
  });
}
