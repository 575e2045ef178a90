/**
 * The multi-instance stack of multi-instance.spec.ts, as docs/deploy.md deploys it, on 127.0.0.1: a fake
 * OpenAI-compatible upstream, a fresh PostgreSQL database, a Redis key prefix of its own, two built alma servers on
 * both, one web app (`next start`) and nginx in front with the documented site (round robin, no stickiness). Every
 * port is free at start; everything is stopped and removed by `stop()` (the database dropped, the keys deleted).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connectRedis, deleteKeysByPrefix } from "@alma/live-runs";
import { createTestDatabase, type TestDatabase } from "@alma/store";
import { startFakeOpenAI, type FakeOpenAIServer } from "@alma/testing";
import { createFakeModelHandler } from "./fake-model";
import { UPSTREAM_HEADER } from "./nginx-config";
import { type AlmaProcess, spawnAlmaServer, stopProcess, waitUntilOk } from "./spawn-alma-server";
import { startNginx, type NginxProcess } from "./start-nginx";

const webDir = fileURLToPath(new URL("..", import.meta.url));
const API_KEY = "sk-e2e-test-key";

export const REDIS_URL = process.env.ALMA_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export interface ClusterOptions {
  /** share live runs through Redis (ALMA_REDIS_URL); without it only the database is shared */
  redis: boolean;
}

export interface Cluster {
  /** the public origin: nginx */
  url: string;
  /** the alma server through nginx: `<url>/alma` (its WebSocket is `<url>/alma/ws`) */
  almaUrl: string;
  instances: AlmaProcess[];
  upstream: FakeOpenAIServer;
  database: TestDatabase;
  /** the Redis key prefix of this cluster, null without Redis */
  redisPrefix: string | null;
  nginx: NginxProcess;
  /** the instance an nginx answer names in its X-Alma-Upstream header (the last one tried) */
  instanceAt(upstreamHeader: string | null | undefined): AlmaProcess;
  /** the instance that served a request through nginx */
  served(res: Response): AlmaProcess;
  /** makes sure nginx's next request to the alma servers goes to `target` (round robin: after one served by the other) */
  nextRequestTo(target: AlmaProcess): Promise<void>;
  stop(): Promise<void>;
}

/** a port nothing listens on: taken from the system, then let go */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// a test process that dies leaves no server or nginx behind
const children = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});
const track = (child: ChildProcess) => {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
};

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), "alma-cluster-"));
  const cleanups: Array<() => Promise<unknown>> = [async () => rmSync(dir, { recursive: true, force: true })];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => console.error("[cluster] cleanup failed:", err));
    cleanups.length = 0;
  };
  try {
    const upstream = await startFakeOpenAI({ handler: createFakeModelHandler(), apiKey: API_KEY, contextWindow: 8192 });
    cleanups.push(() => upstream.close());
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const redisPrefix = options.redis ? `alma-test-${randomBytes(6).toString("hex")}:` : null;
    if (redisPrefix) cleanups.push(() => deleteRedisKeys(redisPrefix));

    const [nginxPort, webPort] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${nginxPort}`;
    const shared: Record<string, string> = {
      ALMA_PROVIDER: "openai",
      OPENAI_BASE_URL: upstream.url,
      OPENAI_API_KEY: API_KEY,
      OPENAI_MODEL: "fake-model",
      ALMA_CONTEXT_WINDOW: "8192",
      ALMA_PROVIDER_MAX_RETRIES: "0",
      ALMA_DATABASE_URL: database.url,
      ALMA_ALLOWED_ORIGINS: url,
      // behind one nginx every browser has nginx's address, which the per-address limits count
      ALMA_MESSAGES_PER_MINUTE: "10000",
      ALMA_HTTP_REQUESTS_PER_MINUTE: "100000",
      ALMA_MAX_RUNS_PER_CONNECTION: "4",
      ALMA_RESUME_GRACE_MS: "20000",
      ...(redisPrefix ? { ALMA_REDIS_URL: REDIS_URL, ALMA_REDIS_PREFIX: redisPrefix, ALMA_INSTANCE_TTL_MS: "3000" } : {}),
    };
    // started one after the other: the second finds the database migrated (the advisory lock is tested in the store)
    const instances: AlmaProcess[] = [];
    for (const name of ["alma-a", "alma-b"]) {
      const instance = await spawnAlmaServer(name, { ...shared, ALMA_INSTANCE_ID: name, ALMA_DB_PATH: join(dir, name, "alma.db") });
      track(instance.child);
      instances.push(instance);
      cleanups.push(() => stopProcess(instance.child, instance.exited));
    }

    const nginx = await startNginx(dir, {
      listen: `127.0.0.1:${nginxPort}`,
      serverName: "127.0.0.1",
      almaServers: instances.map((i) => i.address),
      webApps: [`127.0.0.1:${webPort}`],
      clientMaxBodySize: "64m",
    });
    track(nginx.child);
    cleanups.push(() => stopProcess(nginx.child, nginx.exited, 3_000));

    const nextBin = fileURLToPath(new URL("../node_modules/next/dist/bin/next", import.meta.url));
    // the page and the web app's own API routes both reach the alma server through nginx, as deployed
    const web = spawn(process.execPath, [nextBin, "start", "--hostname", "127.0.0.1", "--port", String(webPort)], {
      cwd: webDir,
      env: { ...process.env, ALMA_SERVER_URL: `ws://127.0.0.1:${nginxPort}/alma/ws`, NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "inherit", "inherit"],
    });
    track(web);
    const webExited = new Promise((resolve) => web.once("exit", resolve));
    cleanups.push(() => stopProcess(web, webExited));
    await withDeadline(
      (signal) => Promise.all([waitUntilOk(`${url}/`, 200, signal), waitUntilOk(`${url}/alma/health`, 200, signal)]),
      90_000,
      () => `the cluster did not answer through nginx at ${url}; nginx's log:\n${nginx.errorLog()}`,
    );

    const instanceAt = (header: string | null | undefined): AlmaProcess => {
      // after a failed try nginx lists every address it tried ("a:1, b:2"): the last one answered
      const found = instances.find((i) => i.address === header?.split(",").at(-1)?.trim());
      if (!found) throw new Error(`nginx named "${header}" in ${UPSTREAM_HEADER}, which is none of ${instances.map((i) => i.address).join(", ")}`);
      return found;
    };
    const served = (res: Response) => instanceAt(res.headers.get(UPSTREAM_HEADER));
    const nextRequestTo = async (target: AlmaProcess) => {
      for (let probe = 0; probe < 4; probe++) {
        const res = await fetch(`${url}/alma/health`);
        await res.body?.cancel();
        if (served(res) !== target) return;
      }
      throw new Error(`nginx kept sending every request to ${target.name}: is it balancing round robin?`);
    };
    return { url, almaUrl: `${url}/alma`, instances, upstream, database, redisPrefix, nginx, instanceAt, served, nextRequestTo, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = await connectRedis(REDIS_URL, { connectionName: "alma-e2e-cleanup" });
  try {
    await deleteKeysByPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/** `work` until it resolves or `ms` passed (then it is told to stop through its signal, and this rejects) */
async function withDeadline<T>(work: (signal: AbortSignal) => Promise<T>, ms: number, describe: () => string): Promise<T> {
  const stop = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(describe())), ms);
  });
  try {
    return await Promise.race([work(stop.signal), deadline]);
  } finally {
    stop.abort();
    clearTimeout(timer);
  }
}
