import { startChild, type BenchChild } from "../lib/child.js";
import { aiSdkClient, almaClient, bareRelayClient, type StreamClient } from "./stream-clients.js";

export type PathName = "bare" | "alma" | "aisdk";

/** One server under test, in its own process, and a way to open clients to it. */
export interface PathUnderTest {
  name: PathName;
  label: string;
  child: BenchChild<{ url: string }>;
  /** `fresh`: every answer in a new conversation (no history carried) */
  connect(opts?: { fresh?: boolean }): Promise<StreamClient>;
}

export const pathLabels: Record<PathName, string> = {
  bare: "bare ws relay (limit)",
  alma: "alma (server + agent + memory + store)",
  aisdk: "Vercel AI SDK v5 (UI message stream)",
};

/** Settings for the alma server child: limits raised so a benchmark measures speed, not the rate limiter. */
export interface AlmaServerOptions {
  upstreamUrl?: string;
  provider?: "openai" | "local";
  env?: Record<string, string>;
  execArgv?: string[];
}

export async function startAlmaServer(opts: AlmaServerOptions): Promise<BenchChild<{ url: string }>> {
  return startChild<{ url: string }>(new URL("./alma-server.ts", import.meta.url), {
    env: {
      ...(opts.upstreamUrl ? { UPSTREAM_URL: opts.upstreamUrl } : {}),
      BENCH_PROVIDER: opts.provider ?? "openai",
      ...opts.env,
    },
    // BENCH_CPU_PROF=<dir> profiles the alma server (node --cpu-prof); read it with `tsx lib/top-functions.ts <file>`
    execArgv: [...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), ...(opts.execArgv ?? [])],
  });
}

export async function startPath(name: PathName, upstreamUrl: string, alma: Omit<AlmaServerOptions, "upstreamUrl"> = {}): Promise<PathUnderTest> {
  const env = { UPSTREAM_URL: upstreamUrl };
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
