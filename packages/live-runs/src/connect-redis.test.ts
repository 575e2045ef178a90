import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { connectRedis } from "./connect-redis.js";
import { parseRedisUrl } from "./parse-redis-url.js";
import { pingRedis } from "./ping-redis.js";
import { RedisUnreachableError } from "./redis-unreachable-error.js";
import { TEST_REDIS_URL } from "./test-redis.test-helpers.js";

/** a port nothing listens on: bound, then closed */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("connectRedis", () => {
  it("fails at once with what, where and what to do when nothing listens", async () => {
    const port = await closedPort();
    const attempt = connectRedis(`redis://127.0.0.1:${port}`);
    await expect(attempt).rejects.toBeInstanceOf(RedisUnreachableError);
    await expect(attempt).rejects.toThrow(`cannot reach Redis at redis://127.0.0.1:${port} (ECONNREFUSED): start Redis or unset ALMA_REDIS_URL`);
  });

  it("gives up after the connect timeout on a server that accepts but never answers", async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    try {
      await expect(connectRedis(`redis://127.0.0.1:${port}`, { connectTimeoutMs: 200 })).rejects.toThrow(
        `cannot reach Redis at redis://127.0.0.1:${port} (no answer within 200 ms): start Redis or unset ALMA_REDIS_URL`,
      );
    } finally {
      silent.close();
    }
  });

  it("connects to the real Redis, and ping reports it", async () => {
    const redis = await connectRedis(TEST_REDIS_URL);
    try {
      expect(await pingRedis(redis)).toMatchObject({ ok: true });
    } finally {
      await redis.quit();
    }
  });
});

describe("parseRedisUrl", () => {
  it("reads host, port, database, TLS and credentials, and hides the password", () => {
    expect(parseRedisUrl("rediss://alma:s%40cret@redis.internal:6380/2")).toEqual({
      url: "rediss://alma:s%40cret@redis.internal:6380/2",
      displayUrl: "rediss://alma:***@redis.internal:6380/2",
      host: "redis.internal",
      port: 6380,
      db: 2,
      tls: true,
      username: "alma",
      password: "s@cret",
    });
    expect(parseRedisUrl("redis://127.0.0.1")).toMatchObject({ host: "127.0.0.1", port: 6379, db: 0, tls: false });
  });

  it("says what is wrong and what a good value is", () => {
    expect(() => parseRedisUrl("postgres://u:pw@db:5432/x")).toThrow(
      'ALMA_REDIS_URL "postgres://u:***@db:5432/x" is not a Redis URL (its scheme is "postgres", not redis or rediss): use e.g. redis://127.0.0.1:6379, or unset ALMA_REDIS_URL',
    );
    expect(() => parseRedisUrl("127.0.0.1:6379")).toThrow(/is not a Redis URL/);
    expect(() => parseRedisUrl("redis://h:6379/abc")).toThrow(/its database "abc" is not a number/);
  });
});
