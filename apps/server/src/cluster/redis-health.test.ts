import { createConnection, createServer, type Server, type Socket } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { ScriptedChatModel } from "@alma/llm";
import { buildApp } from "../build-app.js";
import { testConfig } from "../testing/test-config.js";
import { useTestRedis } from "../testing/use-test-redis.js";

const redis = useTestRedis();
const target = new URL(redis.url);

/** a TCP relay to the test Redis that can be cut (every connection dropped, none accepted) and mended */
async function redisRelay() {
  const sockets = new Set<Socket>();
  let open = true;
  const server: Server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: target.hostname, port: Number(target.port || 6379) });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    cut: () => {
      open = false;
      for (const s of sockets) s.destroy();
    },
    mend: () => {
      open = true;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const relays: Array<Awaited<ReturnType<typeof redisRelay>>> = [];
afterAll(async () => {
  for (const r of relays) await r.close();
});

describe("/health with ALMA_REDIS_URL", () => {
  it("tells redis { ok } beside the database, and 503 degraded with the reason while Redis does not answer", async () => {
    const relay = await redisRelay();
    relays.push(relay);
    const app = await buildApp({ config: testConfig({ ...redis.env, ALMA_REDIS_URL: relay.url }), model: new ScriptedChatModel() });
    try {
      const ok = await app.inject({ method: "GET", url: "/health" });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({ status: "ok", modelReady: true, database: { kind: "sqlite", ok: true }, redis: { ok: true } });

      relay.cut();
      const down = await app.inject({ method: "GET", url: "/health" });
      expect(down.statusCode).toBe(503);
      const body = down.json() as { status: string; database: unknown; redis: { ok: boolean; error: string } };
      expect(body).toMatchObject({ status: "degraded", database: { kind: "sqlite", ok: true }, redis: { ok: false } });
      expect(body.redis.error).toMatch(/Redis is not answering/);
    } finally {
      relay.mend();
      await app.close();
    }
  }, 60_000);

  it("in-process (no ALMA_REDIS_URL) says nothing of Redis", async () => {
    const app = await buildApp({ config: testConfig(), model: new ScriptedChatModel() });
    try {
      const body = (await app.inject({ method: "GET", url: "/health" })).json() as Record<string, unknown>;
      expect(body.status).toBe("ok");
      expect(body).not.toHaveProperty("redis");
    } finally {
      await app.close();
    }
  });
});
