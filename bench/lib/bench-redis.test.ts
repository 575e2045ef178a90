import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { openBenchRedis, parseReply, send } from "./bench-redis.js";

describe("the benchmark's Redis", () => {
  it("parses RESP replies, and waits for a reply cut across reads", () => {
    expect(parseReply(Buffer.from("+PONG\r\n"))).toEqual({ value: "PONG", end: 7 });
    expect(parseReply(Buffer.from(":42\r\n"))?.value).toBe(42);
    expect(parseReply(Buffer.from("*2\r\n$3\r\nabc\r\n$-1\r\n"))?.value).toEqual(["abc", null]);
    expect(parseReply(Buffer.from("$5\r\nab"))).toBeNull();
    expect(parseReply(Buffer.from("*2\r\n:1\r\n"))).toBeNull();
    expect(parseReply(Buffer.from("-ERR wrong\r\n"))?.value).toBeInstanceOf(Error);
  });

  it("is a skipped line naming the URL and the setting when nothing answers there", async () => {
    // a port that was free a moment ago: nothing listens on it
    const server = createServer().listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
    const opened = await openBenchRedis({ ALMA_BENCH_REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(opened.redis).toBeNull();
    expect(opened.skipped).toMatch(new RegExp(`^skipped: Redis not reachable at redis://127\\.0\\.0\\.1:${port}.*set ALMA_BENCH_REDIS_URL\\)$`));
  });

  it("gives each run a prefix of its own and deletes only its keys", async () => {
    const [a, b] = await Promise.all([openBenchRedis(), openBenchRedis()]);
    if (!a.redis || !b.redis) throw new Error(`the development Redis must run for this test: ${a.skipped ?? b.skipped}`);
    expect(a.redis.prefix).not.toBe(b.redis.prefix);
    expect(a.redis.env("x")).toMatchObject({ ALMA_REDIS_PREFIX: a.redis.prefix, ALMA_INSTANCE_ID: "x" });
    await send(a.redis.url, [
      ["SET", `${a.redis.prefix}one`, "1"],
      ["SET", `${a.redis.prefix}two*`, "2"],
      ["SET", `${b.redis.prefix}one`, "3"],
    ]);
    expect(await a.redis.cleanup()).toBe(2);
    expect(
      await send(a.redis.url, [
        ["GET", `${a.redis.prefix}one`],
        ["GET", `${b.redis.prefix}one`],
      ]),
    ).toEqual([null, "3"]);
    expect(await b.redis.cleanup()).toBe(1);
  });
});
