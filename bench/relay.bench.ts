import { pathToFileURL } from "node:url";
import { startChild } from "./lib/child.js";
import { percentile, summarize, formatSummary, formatNumber, type Summary } from "./lib/stats.js";
import { renderTable, type BenchTable } from "./lib/print-table.js";
import { PathSkipped, pathLabels, redisPaths, startPath, type PathName, type PathUnderTest } from "./relay/start-paths.js";
import { readProcessUsage, watchProcess } from "./concurrency/process-usage.js";
import type { StreamSample } from "./relay/stream-clients.js";

/**
 * Benchmark 1: relay overhead per token. The scripted upstream (its own process) emits N tokens as fast as the
 * socket takes them (throughput), then paced at a fixed rate (latency without queueing); each path's server
 * runs in its own process and the client reads in this one. Paths alternate within each round, so drift
 * on the machine hits all of them alike. alma runs in-process and on Redis in the same run (the Redis paths are
 * skipped, with the reason, when Redis or PostgreSQL does not answer; ALMA_BENCH_REDIS_URL picks the Redis).
 */
export interface RelayPathFigures {
  name: PathName;
  label: string;
  tokensPerSecond: Summary;
  /** client send → first token received (both streams of each round) */
  ttftMs: Summary;
  /** emit→receive at full speed (includes queueing while the socket is saturated) */
  saturatedP50Ms: Summary;
  saturatedP95Ms: Summary;
  saturatedP99Ms: Summary;
  /** emit→receive when the upstream is paced at `pacedRate` tokens/s */
  pacedP50Ms: Summary;
  pacedP95Ms: Summary;
  pacedP99Ms: Summary;
  /** the server processes' CPU time (user + system) per token at full speed: all rounds' CPU over all their tokens (both instances on the two-instance path) */
  serverCpuUsPerToken: number;
  /** peak RSS over the rounds of the instance running the answers, and of the viewer's instance when it is another */
  peakRssMb: number;
  viewerInstancePeakRssMb: number | null;
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
  /** paths left out, with why (Redis or PostgreSQL not reachable) */
  skipped: string[];
  table: BenchTable;
  tables: BenchTable[];
}

const throughputOf = (s: StreamSample) => s.tokens / ((s.lastReceivedAt - s.sentAt) / 1000);
const ttftOf = (s: StreamSample) => s.firstReceivedAt - s.sentAt;

interface PerRound {
  tps: number[];
  ttft: number[];
  sat50: number[];
  sat95: number[];
  sat99: number[];
  p50: number[];
  p95: number[];
  p99: number[];
  cpuMs: number;
}
type RoundMetric = Exclude<keyof PerRound, "cpuMs">;

export const defaultRelayPaths: PathName[] = ["bare", "alma", "aisdk", "alma-redis", "alma-redis-other"];

export async function runRelayBench({ quick = false, paths: only }: { quick?: boolean; paths?: PathName[] } = {}): Promise<RelayBenchResult> {
  const tokens = quick ? 300 : 5000;
  const pacedTokens = quick ? 100 : 1000;
  const pacedRate = 1000;
  const rounds = quick ? 2 : 7;
  const names: PathName[] = only ?? defaultRelayPaths;

  const upstream = await startChild<{ url: string }>(new URL("./lib/upstream-process.ts", import.meta.url));
  const paths: PathUnderTest[] = [];
  const skipped: string[] = [];
  try {
    for (const name of names) {
      try {
        paths.push(await startPath(name, upstream.ready.url));
      } catch (error) {
        if (!(error instanceof PathSkipped)) throw error;
        skipped.push(`${pathLabels[name]}: ${error.message}`);
      }
    }
    const perPath = new Map<PathName, PerRound>();
    const clients = await Promise.all(paths.map((p) => p.connect({ fresh: true })));
    // Warm-up: JIT, keep-alive sockets, the alma conversation's first write.
    for (const client of clients) {
      await client.stream(`n=${tokens} rate=0`);
      await client.stream(`n=50 rate=${pacedRate}`);
    }
    const pidsOf = (p: PathUnderTest) => [p.child, ...(p.others ?? [])].map((c) => c.process.pid!);
    const cpuOf = (p: PathUnderTest) => pidsOf(p).reduce((sum, pid) => sum + readProcessUsage(pid).cpuMs, 0);
    const watches = paths.map((p) => pidsOf(p).map((pid) => watchProcess(pid)));
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < paths.length; i++) {
        const path = paths[i]!;
        const client = clients[i]!;
        const cpuBefore = cpuOf(path);
        const fast = await client.stream(`n=${tokens} rate=0`);
        const cpuMs = cpuOf(path) - cpuBefore;
        if (fast.tokens !== tokens) throw new Error(`${path.label} delivered ${fast.tokens} of ${tokens} tokens`);
        const paced = await client.stream(`n=${pacedTokens} rate=${pacedRate}`);
        if (paced.tokens !== pacedTokens) throw new Error(`${path.label} delivered ${paced.tokens} of ${pacedTokens} tokens`);
        const f = perPath.get(path.name) ?? { tps: [], ttft: [], sat50: [], sat95: [], sat99: [], p50: [], p95: [], p99: [], cpuMs: 0 };
        f.cpuMs += cpuMs;
        f.tps.push(throughputOf(fast));
        f.ttft.push((ttftOf(fast) + ttftOf(paced)) / 2);
        f.sat50.push(percentile(fast.latencies, 50));
        f.sat95.push(percentile(fast.latencies, 95));
        f.sat99.push(percentile(fast.latencies, 99));
        f.p50.push(percentile(paced.latencies, 50));
        f.p95.push(percentile(paced.latencies, 95));
        f.p99.push(percentile(paced.latencies, 99));
        perPath.set(path.name, f);
      }
    }
    const peaks = watches.map((w) => w.map((x) => x.stop().peakRssBytes / 2 ** 20));
    await Promise.all(clients.map((c) => c.close()));

    const figures: RelayPathFigures[] = paths.map((p, i) => {
      const f = perPath.get(p.name)!;
      return {
        name: p.name,
        label: p.label,
        tokensPerSecond: summarize(f.tps),
        ttftMs: summarize(f.ttft),
        saturatedP50Ms: summarize(f.sat50),
        saturatedP95Ms: summarize(f.sat95),
        saturatedP99Ms: summarize(f.sat99),
        pacedP50Ms: summarize(f.p50),
        pacedP95Ms: summarize(f.p95),
        pacedP99Ms: summarize(f.p99),
        serverCpuUsPerToken: (f.cpuMs * 1000) / (tokens * rounds),
        peakRssMb: peaks[i]![0]!,
        viewerInstancePeakRssMb: peaks[i]![1] ?? null,
      };
    });
    /** a over b, round by round (same round, same machine state), for one metric */
    const ratio = (a: PathName, b: PathName, metric: RoundMetric = "tps"): Summary | null => {
      const x = perPath.get(a)?.[metric];
      const y = perPath.get(b)?.[metric];
      return x && y ? summarize(x.map((v, i) => v / y[i]!)) : null;
    };
    const almaVsBare = ratio("alma", "bare");
    const almaVsAiSdk = ratio("alma", "aisdk");
    const rss = (f: RelayPathFigures) =>
      formatNumber(f.peakRssMb, 0) + (f.viewerInstancePeakRssMb === null ? "" : ` + ${formatNumber(f.viewerInstancePeakRssMb, 0)}`);
    const table: BenchTable = {
      title: `Relay overhead per token (${formatNumber(tokens, 0)} tokens as fast as possible; ${formatNumber(pacedTokens, 0)} paced at ${pacedRate}/s; ${rounds} rounds, median (min–max))`,
      columns: [
        "path",
        "tokens/s",
        "vs bare",
        "server CPU µs/token",
        "TTFT ms",
        "emit→recv p50 ms (paced)",
        "p95 ms (paced)",
        "p99 ms (paced)",
        "p50 ms (saturated)",
        "p95 ms (saturated)",
        "p99 ms (saturated)",
        "server peak RSS MB",
      ],
      rows: figures.map((f) => [
        f.label,
        formatSummary(f.tokensPerSecond, 0),
        ratio(f.name, "bare") ? formatSummary(ratio(f.name, "bare")!, 2) : "n/a",
        formatNumber(f.serverCpuUsPerToken, 1),
        formatSummary(f.ttftMs, 2),
        formatSummary(f.pacedP50Ms, 3),
        formatSummary(f.pacedP95Ms, 3),
        formatSummary(f.pacedP99Ms, 3),
        formatSummary(f.saturatedP50Ms, 1),
        formatSummary(f.saturatedP95Ms, 1),
        formatSummary(f.saturatedP99Ms, 1),
        rss(f),
      ]),
      notes: [
        almaVsBare
          ? `goal alma ≥ 0.70 × bare relay throughput: ${formatSummary(almaVsBare)} → ${almaVsBare.median >= 0.7 ? "met" : "MISSED"}`
          : "alma not measured",
        almaVsAiSdk ? `goal alma ahead of the AI SDK: ${formatSummary(almaVsAiSdk)} × → ${almaVsAiSdk.median > 1 ? "met" : "MISSED"}` : "",
        perPath.has("alma-redis-other")
          ? "viewer on the other instance: the answer runs on A, the measured tab is on B (every frame through Redis), A's tab stays open; CPU is both instances', RSS is A + B; both on one PostgreSQL database"
          : "",
        ...skipped,
      ].filter(Boolean),
    };
    const tables = [table];
    const redisFigures = figures.filter((f) => redisPaths.includes(f.name));
    const inProcess = figures.find((f) => f.name === "alma");
    if (inProcess && redisFigures.length > 0) {
      const cell = (name: PathName, metric: RoundMetric) => {
        const r = ratio(name, "alma", metric);
        return r ? `${formatSummary(r, 2)}×` : "n/a";
      };
      tables.push({
        title: "Relay: alma on Redis / alma in-process (per-round ratios, same run; > 1 is slower for times, faster for tokens/s)",
        columns: ["path", "tokens/s", "TTFT", "p50 (paced)", "p95 (paced)", "p50 (saturated)", "p95 (saturated)", "server CPU/token", "peak RSS"],
        rows: redisFigures.map((f) => [
          f.label,
          cell(f.name, "tps"),
          cell(f.name, "ttft"),
          cell(f.name, "p50"),
          cell(f.name, "p95"),
          cell(f.name, "sat50"),
          cell(f.name, "sat95"),
          `${formatNumber(f.serverCpuUsPerToken / inProcess.serverCpuUsPerToken, 2)}×`,
          `${formatNumber(f.peakRssMb / inProcess.peakRssMb, 2)}×${f.viewerInstancePeakRssMb === null ? "" : ` (A + B: ${formatNumber((f.peakRssMb + f.viewerInstancePeakRssMb) / inProcess.peakRssMb, 2)}×)`}`,
        ]),
        notes: [
          `in-process: ${formatSummary(inProcess.tokensPerSecond, 0)} tokens/s, TTFT ${formatSummary(inProcess.ttftMs, 2)} ms, peak RSS ${formatNumber(inProcess.peakRssMb, 0)} MB`,
        ],
      });
    } else if (skipped.length > 0)
      tables.push({
        title: "Relay: alma on Redis / alma in-process",
        columns: ["path", "result"],
        rows: skipped.map((s) => [s.slice(0, s.indexOf(": ")), s.slice(s.indexOf(": ") + 2)]),
      });
    return { tokens, pacedTokens, pacedRate, rounds, paths: figures, almaVsBare, almaVsAiSdk, skipped, table, tables };
  } finally {
    await Promise.all(paths.flatMap((p) => [p.child, ...(p.others ?? [])]).map((c) => c.stop()));
    for (const p of paths) await p.cleanup?.();
    await upstream.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const only = process.argv
    .find((a) => a.startsWith("--paths="))
    ?.slice(8)
    .split(",") as PathName[] | undefined;
  const result = await runRelayBench({ quick: process.argv.includes("--quick"), paths: only });
  for (const table of result.tables) console.log(`${renderTable(table)}\n`);
}
