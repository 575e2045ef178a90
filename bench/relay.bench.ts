import { pathToFileURL } from "node:url";
import { startChild } from "./lib/child.js";
import { percentile, summarize, formatSummary, formatNumber, type Summary } from "./lib/stats.js";
import { renderTable, type BenchTable } from "./lib/print-table.js";
import { startPath, type PathName, type PathUnderTest } from "./relay/start-paths.js";
import { readProcessUsage } from "./concurrency/process-usage.js";
import type { StreamSample } from "./relay/stream-clients.js";

/**
 * Benchmark 1: relay overhead per token. The scripted upstream (its own process) emits N tokens as fast as the
 * socket takes them (throughput), then paced at a fixed rate (latency without queueing); each path's server
 * runs in its own process and the client reads in this one. Paths alternate within each round, so drift
 * on the machine hits all of them alike.
 */
export interface RelayPathFigures {
  name: PathName;
  label: string;
  tokensPerSecond: Summary;
  /** emit→receive at full speed (includes queueing while the socket is saturated) */
  saturatedP50Ms: Summary;
  saturatedP99Ms: Summary;
  /** emit→receive when the upstream is paced at `pacedRate` tokens/s */
  pacedP50Ms: Summary;
  pacedP99Ms: Summary;
  /** the server process's CPU time (user + system) per token at full speed: all rounds' CPU over all their tokens */
  serverCpuUsPerToken: number;
}

export interface RelayBenchResult {
  tokens: number;
  pacedTokens: number;
  pacedRate: number;
  rounds: number;
  paths: RelayPathFigures[];
  /** alma's tokens/s over the bare relay's, and over the AI SDK's (medians of the per-round ratios) */
  almaVsBare: Summary | null;
  almaVsAiSdk: Summary | null;
  table: BenchTable;
}

const throughputOf = (s: StreamSample) => s.tokens / ((s.lastReceivedAt - s.sentAt) / 1000);

export async function runRelayBench({ quick = false, paths: only }: { quick?: boolean; paths?: PathName[] } = {}): Promise<RelayBenchResult> {
  const tokens = quick ? 300 : 5000;
  const pacedTokens = quick ? 100 : 1000;
  const pacedRate = 1000;
  const rounds = quick ? 2 : 7;
  const names: PathName[] = only ?? ["bare", "alma", "aisdk"];

  const upstream = await startChild<{ url: string }>(new URL("./lib/upstream-process.ts", import.meta.url));
  const paths: PathUnderTest[] = [];
  try {
    for (const name of names) paths.push(await startPath(name, upstream.ready.url));
    const perPath = new Map<PathName, { tps: number[]; sat50: number[]; sat99: number[]; p50: number[]; p99: number[]; cpuMs: number }>();
    const clients = await Promise.all(paths.map((p) => p.connect({ fresh: true })));
    // Warm-up: JIT, keep-alive sockets, the alma conversation's first write.
    for (const client of clients) {
      await client.stream(`n=${tokens} rate=0`);
      await client.stream(`n=50 rate=${pacedRate}`);
    }
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < paths.length; i++) {
        const path = paths[i]!;
        const client = clients[i]!;
        const cpuBefore = readProcessUsage(path.child.process.pid!).cpuMs;
        const fast = await client.stream(`n=${tokens} rate=0`);
        const cpuMs = readProcessUsage(path.child.process.pid!).cpuMs - cpuBefore;
        if (fast.tokens !== tokens) throw new Error(`${path.label} delivered ${fast.tokens} of ${tokens} tokens`);
        const paced = await client.stream(`n=${pacedTokens} rate=${pacedRate}`);
        if (paced.tokens !== pacedTokens) throw new Error(`${path.label} delivered ${paced.tokens} of ${pacedTokens} tokens`);
        const f = perPath.get(path.name) ?? { tps: [], sat50: [], sat99: [], p50: [], p99: [], cpuMs: 0 };
        f.cpuMs += cpuMs;
        f.tps.push(throughputOf(fast));
        f.sat50.push(percentile(fast.latencies, 50));
        f.sat99.push(percentile(fast.latencies, 99));
        f.p50.push(percentile(paced.latencies, 50));
        f.p99.push(percentile(paced.latencies, 99));
        perPath.set(path.name, f);
      }
    }
    await Promise.all(clients.map((c) => c.close()));

    const figures: RelayPathFigures[] = paths.map((p) => {
      const f = perPath.get(p.name)!;
      return {
        name: p.name,
        label: p.label,
        tokensPerSecond: summarize(f.tps),
        saturatedP50Ms: summarize(f.sat50),
        saturatedP99Ms: summarize(f.sat99),
        pacedP50Ms: summarize(f.p50),
        pacedP99Ms: summarize(f.p99),
        serverCpuUsPerToken: (f.cpuMs * 1000) / (tokens * rounds),
      };
    });
    const ratio = (a: PathName, b: PathName): Summary | null => {
      const x = perPath.get(a)?.tps;
      const y = perPath.get(b)?.tps;
      return x && y ? summarize(x.map((v, i) => v / y[i]!)) : null;
    };
    const almaVsBare = ratio("alma", "bare");
    const almaVsAiSdk = ratio("alma", "aisdk");
    const bareTps = perPath.get("bare")?.tps ?? [];
    const table: BenchTable = {
      title: `Relay overhead per token (${formatNumber(tokens, 0)} tokens as fast as possible; ${formatNumber(pacedTokens, 0)} paced at ${pacedRate}/s; ${rounds} rounds, median (min–max))`,
      columns: ["path", "tokens/s", "vs bare", "server CPU µs/token", "emit→recv p50 ms (paced)", "p99 ms (paced)", "p50 ms (saturated)", "p99 ms (saturated)"],
      rows: figures.map((f) => [
        f.label,
        formatSummary(f.tokensPerSecond, 0),
        formatSummary(summarize(perPath.get(f.name)!.tps.map((v, i) => v / bareTps[i]!)), 2),
        formatNumber(f.serverCpuUsPerToken, 1),
        formatSummary(f.pacedP50Ms, 3),
        formatSummary(f.pacedP99Ms, 3),
        formatSummary(f.saturatedP50Ms, 1),
        formatSummary(f.saturatedP99Ms, 1),
      ]),
      notes: [
        almaVsBare
          ? `goal alma ≥ 0.70 × bare relay throughput: ${formatSummary(almaVsBare)} → ${almaVsBare.median >= 0.7 ? "met" : "MISSED"}`
          : "alma not measured",
        almaVsAiSdk ? `goal alma ahead of the AI SDK: ${formatSummary(almaVsAiSdk)} × → ${almaVsAiSdk.median > 1 ? "met" : "MISSED"}` : "",
      ].filter(Boolean),
    };
    return { tokens, pacedTokens, pacedRate, rounds, paths: figures, almaVsBare, almaVsAiSdk, table };
  } finally {
    await Promise.all(paths.map((p) => p.child.stop()));
    await upstream.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const only = process.argv
    .find((a) => a.startsWith("--paths="))
    ?.slice(8)
    .split(",") as PathName[] | undefined;
  const result = await runRelayBench({ quick: process.argv.includes("--quick"), paths: only });
  console.log(renderTable(result.table));
}
