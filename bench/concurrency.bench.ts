import { pathToFileURL } from "node:url";
import { startChild, type BenchChild } from "./lib/child.js";
import { formatNumber } from "./lib/stats.js";
import { renderTable, type BenchTable } from "./lib/print-table.js";
import { startAlmaServer } from "./relay/start-paths.js";
import { watchProcess } from "./concurrency/process-usage.js";
import type { LoadRequest, LoadResult } from "./concurrency/load-client.js";

/**
 * Benchmark 3: concurrency. N WebSocket sessions, each streaming one answer at 20 tokens/s from the scripted
 * upstream. Three processes: upstream, server under test, load client (so the client never shares the
 * server's event loop). The server's CPU share and peak RSS are read from /proc while the streams run.
 * Then a step search finds the largest session count whose p99 added delay stays under the limit.
 */
export interface ConcurrencyStep extends LoadResult {
  server: "alma" | "bare";
  cpuPercent: number;
  upstreamCpuPercent: number;
  loadCpuPercent: number;
  peakRssMb: number;
  lostTokens: number;
  passed: boolean;
}

export interface ConcurrencyBenchResult {
  target: number;
  rate: number;
  main: ConcurrencyStep[];
  search: ConcurrencyStep[];
  /** the largest alma session count that passed (p99 < limit, nothing lost); null when no search ran */
  maxPassingSessions: number | null;
  table: BenchTable;
}

const P99_LIMIT_MS = 25;
/** sessions start their answers spread over this span (users do not all press enter in the same millisecond) */
const START_SPREAD_MS = 1000;

async function measure(
  upstream: BenchChild<{ url: string }>,
  server: BenchChild<{ url: string }>,
  kind: "alma" | "bare",
  sessions: number,
  tokens: number,
  rate: number,
): Promise<ConcurrencyStep> {
  const load = await startChild<{ ready: true }>(new URL("./concurrency/load-client.ts", import.meta.url));
  try {
    const watch = watchProcess(server.process.pid!);
    const watchUpstream = watchProcess(upstream.process.pid!);
    const watchLoad = watchProcess(load.process.pid!);
    const request: LoadRequest = { url: server.ready.url, mode: kind, sessions, tokens, rate, startSpreadMs: START_SPREAD_MS };
    const result = await load.request<LoadResult & { crash?: string }>(request);
    const usage = watch.stop();
    const upstreamCpu = watchUpstream.stop().cpuPercent;
    const loadCpu = watchLoad.stop().cpuPercent;
    if (result.crash) throw new Error(`the load client crashed: ${result.crash}`);
    const lostTokens = result.expectedTokens - result.receivedTokens;
    return {
      ...result,
      server: kind,
      cpuPercent: usage.cpuPercent,
      upstreamCpuPercent: upstreamCpu,
      loadCpuPercent: loadCpu,
      peakRssMb: usage.peakRssBytes / 2 ** 20,
      lostTokens,
      passed: lostTokens === 0 && result.brokenSessions === 0 && result.delayP99Ms < P99_LIMIT_MS,
    };
  } finally {
    await load.stop();
  }
}

async function startBare(upstreamUrl: string) {
  return startChild<{ url: string }>(new URL("./relay/bare-relay-server.ts", import.meta.url), { env: { UPSTREAM_URL: upstreamUrl } });
}

export async function runConcurrencyBench({ quick = false, search = !quick }: { quick?: boolean; search?: boolean } = {}): Promise<ConcurrencyBenchResult> {
  const target = quick ? 50 : 1000;
  const rate = 20;
  const tokens = quick ? 20 : 100;
  const searchTokens = 60;
  const upstream = await startChild<{ url: string }>(new URL("./lib/upstream-process.ts", import.meta.url));
  const main: ConcurrencyStep[] = [];
  const steps: ConcurrencyStep[] = [];
  let maxPassing: number | null = null;
  try {
    const bare = await startBare(upstream.ready.url);
    try {
      main.push(await measure(upstream, bare, "bare", target, tokens, rate));
    } finally {
      await bare.stop();
    }
    const alma = await startAlmaServer({ upstreamUrl: upstream.ready.url });
    try {
      const first = await measure(upstream, alma, "alma", target, tokens, rate);
      main.push(first);
      if (search) {
        // Grow by half until a step fails (or halve until one passes), then bisect twice between the last pass and the first failure.
        let pass = first.passed ? target : 0;
        let fail = first.passed ? 0 : target;
        const ceiling = 8000;
        const floor = 25;
        while (fail === 0 && pass < ceiling) {
          const next = Math.min(ceiling, Math.round(pass * 1.5));
          const step = await measure(upstream, alma, "alma", next, searchTokens, rate);
          steps.push(step);
          if (step.passed) pass = next;
          else fail = next;
        }
        while (pass === 0 && fail > floor) {
          const next = Math.max(floor, Math.round(fail / 2));
          const step = await measure(upstream, alma, "alma", next, searchTokens, rate);
          steps.push(step);
          if (step.passed) pass = next;
          else fail = next;
        }
        for (let i = 0; i < 2 && pass > 0 && fail - pass > Math.max(25, pass / 5); i++) {
          const mid = Math.round((pass + fail) / 2 / 25) * 25;
          const step = await measure(upstream, alma, "alma", mid, searchTokens, rate);
          steps.push(step);
          if (step.passed) pass = mid;
          else fail = mid;
        }
        maxPassing = pass;
      }
    } finally {
      await alma.stop();
    }
  } finally {
    await upstream.stop();
  }
  const row = (s: ConcurrencyStep, label: string) => [
    label,
    formatNumber(s.sessions, 0),
    formatNumber(s.lostTokens, 0),
    String(s.brokenSessions),
    formatNumber(s.delayP50Ms, 2),
    formatNumber(s.delayP99Ms, 2),
    formatNumber(s.steadyP99Ms, 2),
    formatNumber(s.jitterP99Ms, 2),
    `${formatNumber(s.cpuPercent, 0)}%`,
    formatNumber(s.peakRssMb, 0),
    `${formatNumber(s.upstreamCpuPercent, 0)}% / ${formatNumber(s.loadCpuPercent, 0)}%`,
    s.passed ? "yes" : "no",
  ];
  const almaMain = main.find((s) => s.server === "alma");
  const table: BenchTable = {
    title: `Concurrency: sessions streaming at ${rate} tokens/s (${tokens} tokens each; step search ${searchTokens} tokens each)`,
    columns: [
      "server",
      "sessions",
      "tokens lost",
      "broken sessions",
      "added delay p50 ms",
      "p99 ms",
      "steady-state p99 ms",
      "jitter p99 ms",
      "server CPU",
      "server peak RSS MB",
      "upstream / load-client CPU",
      `p99 < ${P99_LIMIT_MS} ms`,
    ],
    rows: [...main.map((s) => row(s, s.server === "alma" ? "alma" : "bare ws relay (reference)")), ...steps.map((s) => row(s, "alma (step search)"))],
    notes: [
      almaMain
        ? `goal 0 tokens lost at ${target} sessions: ${almaMain.lostTokens} lost, ${almaMain.brokenSessions} broken → ${almaMain.lostTokens === 0 && almaMain.brokenSessions === 0 ? "met" : "MISSED"}`
        : "",
      maxPassing !== null
        ? `highest session count with p99 added delay < ${P99_LIMIT_MS} ms and nothing lost: ${maxPassing === 0 ? "none down to 25 sessions" : formatNumber(maxPassing, 0)}`
        : "",
      ...main.flatMap((s) => s.errors.map((e) => `${s.server} error: ${e}`)),
      ...steps.flatMap((s) => s.errors.slice(0, 2).map((e) => `${s.server} ${s.sessions} sessions error: ${e}`)),
    ].filter(Boolean),
  };
  return { target, rate, main, search: steps, maxPassingSessions: maxPassing, table };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const quick = process.argv.includes("--quick");
  const result = await runConcurrencyBench({ quick, search: !quick && !process.argv.includes("--no-search") });
  console.log(renderTable(result.table));
}
