import { startChild, type BenchChild } from "../lib/child.js";
import { aiSdkClient, almaClient, bareRelayClient, type StreamClient } from "./stream-clients.js";

export type PathName = "bare" | "alma" | "aisdk" | "alma-redis" | "alma-redis-other";

/** One server under test, in its own process (or two, for the viewer on another instance), and a way to open clients to it. */
export interface PathUnderTest {
  name: PathName;
  label: string;
  /** the process that runs the answers */
  child: BenchChild<{ url: string }>;
  /** the other processes of the path (the viewer's instance); stopped with it */
  others?: BenchChild<{ url: string }>[];
  /** after every process stopped: deletes the path's Redis keys, drops its database */
  cleanup?: () => Promise<void>;
  /** `fresh`: every answer in a new conversation (no history carried) */
  connect(opts?: { fresh?: boolean }): Promise<StreamClient>;
}

export const pathLabels: Record<PathName, string> = {
  bare: "bare ws relay (limit)",
  alma: "alma (server + agent + memory + store)",
  aisdk: "Vercel AI SDK v5 (UI message stream)",
  "alma-redis": "alma on Redis (viewer on the same instance)",
  "alma-redis-other": "alma on Redis, viewer on the other instance",
};

/** the paths that need a Redis (started by redis-paths.ts) */
export const redisPaths: readonly PathName[] = ["alma-redis", "alma-redis-other"];

/** Settings for the alma server child: limits raised so a benchmark measures speed, not the rate limiter. */
export interface AlmaServerOptions {
  upstreamUrl?: string;
  provider?: "openai" | "local";
  /** the child's environment */
  env?: Record<string, string>;
  /** alma settings laid over alma-server.ts's own (ALMA_REDIS_URL, ALMA_DATABASE_URL, ALMA_FLUSH_INTERVAL_MS, …) */
  almaEnv?: Record<string, string>;
  execArgv?: string[];
}

export async function startAlmaServer(opts: AlmaServerOptions): Promise<BenchChild<{ url: string }>> {
  return startChild<{ url: string }>(new URL("./alma-server.ts", import.meta.url), {
    env: {
      ...(opts.upstreamUrl ? { UPSTREAM_URL: opts.upstreamUrl } : {}),
      BENCH_PROVIDER: opts.provider ?? "openai",
      ...(opts.almaEnv ? { BENCH_ALMA_ENV: JSON.stringify({ ...JSON.parse(process.env.BENCH_ALMA_ENV ?? "{}"), ...opts.almaEnv }) } : {}),
      ...opts.env,
    },
    // BENCH_CPU_PROF=<dir> profiles the alma server (node --cpu-prof); read it with `tsx lib/top-functions.ts <file>`
    execArgv: [...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), ...(opts.execArgv ?? [])],
  });
}

/** Thrown by startPath when a path's service (Redis, PostgreSQL) does not answer: the path is left out, not a crash. */
export class PathSkipped extends Error {}

export async function startPath(name: PathName, upstreamUrl: string, alma: Omit<AlmaServerOptions, "upstreamUrl"> = {}): Promise<PathUnderTest> {
  const env = { UPSTREAM_URL: upstreamUrl };
  if (name === "alma-redis" || name === "alma-redis-other") {
    // loaded only for these paths, as the server loads its Redis side only when ALMA_REDIS_URL is set
    const { startRedisPath } = await import("./redis-paths.js");
    return startRedisPath(name, upstreamUrl, alma);
  }
  if (name === "bare") {
    const child = await startChild<{ url: string }>(new URL("./bare-relay-server.ts", import.meta.url), { env });
    return { name, label: pathLabels[name], child, connect: () => bareRelayClient(child.ready.url) };
  }
  if (name === "aisdk") {
    const child = await startChild<{ url: string }>(new URL("./ai-sdk-server.ts", import.meta.url), { env });
    return { name, label: pathLabels[name], child, connect: async (o) => aiSdkClient(child.ready.url, { newConversationEachTime: o?.fresh }) };
  }
  const child = await startAlmaServer({ ...alma, upstreamUrl });
  return { name, label: pathLabels[name], child, connect: (o) => almaClient(child.ready.url, { newConversationEachTime: o?.fresh }) };
}
