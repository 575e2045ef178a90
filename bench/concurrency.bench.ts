import { pathToFileURL } from "node:url";
import { startChild } from "./lib/child.js";
import { formatNumber } from "./lib/stats.js";
import { renderTable, type BenchTable } from "./lib/print-table.js";
import { startAlmaServer } from "./relay/start-paths.js";
import { type FlushCost, measureFlushCost } from "./concurrency/flush-cost.js";
import { measureSearchColumnCost, type SearchColumnCost } from "./concurrency/search-column-cost.js";
import { type ConcurrencyStep, measureStep, P99_LIMIT_MS } from "./concurrency/measure-step.js";
import { measureRedisSteps, redisRatioTable } from "./concurrency/redis-steps.js";

export type { ConcurrencyStep } from "./concurrency/measure-step.js";

/**
 * Benchmark 3: concurrency. N WebSocket sessions, each streaming one answer at 20 tokens/s from the scripted
 * upstream. Three processes: upstream, server under test, load client (so the client never shares the
 * server's event loop). The server's CPU share and peak RSS are read from /proc while the streams run.
 * Then a step search finds the largest session count whose p99 added delay stays under the limit, for alma and for
 * the bare relay alike. After each step (its sessions closed) the server reports its RSS and heap as the step left
 * them, then its heap after a full GC: retained memory that grows step after step is a leak, RSS above a flat
 * retained heap is garbage not yet collected and pages the allocator keeps. Every step starts from that collected heap.
 * alma on Redis (one instance, then two with the viewers on the one not running the answers) is measured in the same
 * run at the in-process path's main step and at the largest count it held, and printed beside it as ratios.
 */
export interface ConcurrencyBenchResult {
  target: number;
  rate: number;
  main: ConcurrencyStep[];
  search: ConcurrencyStep[];
  bareSearch: ConcurrencyStep[];
  /** alma on Redis at the in-process path's counts; `redisSkipped` says why a path was left out */
  redis: ConcurrencyStep[];
  redisSkipped: string[];
  /** the largest alma session count that passed (p99 < limit, nothing lost); null when no search ran */
  maxPassingSessions: number | null;
  /** the same for the bare relay, searched the same way in the same run */
  bareMaxPassingSessions: number | null;
  flushCosts: FlushCost[];
  table: BenchTable;
  tables: BenchTable[];
}

const TOKENS_PER_FLUSH_LABEL = "10 tokens of text per flush";
const passing = (n: number) => (n === 0 ? "none down to 25 sessions" : formatNumber(n, 0));

async function startBare(upstreamUrl: string) {
  return startChild<{ url: string }>(new URL("./relay/bare-relay-server.ts", import.meta.url), {
    env: { UPSTREAM_URL: upstreamUrl },
    execArgv: ["--expose-gc"],
  });
}

/**
 * Grows by half from the first step until a step fails (or halves until one passes), then bisects twice between the
 * last pass and the first failure: the largest passing session count, and the steps taken.
 */
async function searchSessions(first: ConcurrencyStep, target: number, at: (sessions: number) => Promise<ConcurrencyStep>) {
  const steps: ConcurrencyStep[] = [];
  let pass = first.passed ? target : 0;
  let fail = first.passed ? 0 : target;
  const ceiling = 8000;
  const floor = 25;
  const step = async (n: number) => {
    const s = await at(n);
    steps.push(s);
    if (s.passed) pass = n;
    else fail = n;
  };
  while (fail === 0 && pass < ceiling) await step(Math.min(ceiling, Math.round(pass * 1.5)));
  while (pass === 0 && fail > floor) await step(Math.max(floor, Math.round(fail / 2)));
  for (let i = 0; i < 2 && pass > 0 && fail - pass > Math.max(25, pass / 5); i++) await step(Math.round((pass + fail) / 2 / 25) * 25);
  return { steps, maxPassing: pass };
}

export async function runConcurrencyBench({ quick = false, search = !quick }: { quick?: boolean; search?: boolean } = {}): Promise<ConcurrencyBenchResult> {
  const target = quick ? 50 : 1000;
  const rate = 20;
  const tokens = quick ? 20 : 100;
  const searchTokens = 60;
  const upstream = await startChild<{ url: string }>(new URL("./lib/upstream-process.ts", import.meta.url));
  const main: ConcurrencyStep[] = [];
  let steps: ConcurrencyStep[] = [];
  let bareSteps: ConcurrencyStep[] = [];
  let maxPassing: number | null = null;
  let bareMaxPassing: number | null = null;
  let redis: { steps: ConcurrencyStep[]; skipped: string[] } = { steps: [], skipped: [] };
  try {
    const bare = await startBare(upstream.ready.url);
    try {
      const first = await measureStep(upstream, { kind: "bare", server: bare }, target, tokens, rate);
      main.push(first);
      if (search) {
        const found = await searchSessions(first, target, (n) => measureStep(upstream, { kind: "bare", server: bare }, n, searchTokens, rate));
        bareSteps = found.steps;
        bareMaxPassing = found.maxPassing;
      }
    } finally {
      await bare.stop();
    }
    const alma = await startAlmaServer({ upstreamUrl: upstream.ready.url, execArgv: ["--expose-gc"] });
    try {
      const first = await measureStep(upstream, { kind: "alma", server: alma }, target, tokens, rate);
      main.push(first);
      if (search) {
        const found = await searchSessions(first, target, (n) => measureStep(upstream, { kind: "alma", server: alma }, n, searchTokens, rate));
        steps = found.steps;
        maxPassing = found.maxPassing;
      }
    } finally {
      await alma.stop();
    }
    // the main step's count, and the largest the in-process path held (its step search used searchTokens)
    const counts = [target, ...(maxPassing && maxPassing !== target ? [maxPassing] : [])];
    redis = await measureRedisSteps(upstream, counts, (n) => (n === target ? tokens : searchTokens), rate);
  } finally {
    await upstream.stop();
  }
  const flushRounds = quick ? 3 : 20;
  const flush = await measureFlushCost([100, 1000], flushRounds);
  const searchCost: SearchColumnCost | string = await measureSearchColumnCost(quick ? 50 : 500, quick ? 2 : 10).catch((e: Error) => e.message);
  const row = (s: ConcurrencyStep, label: string) => [
    label,
    formatNumber(s.sessions, 0),
    formatNumber(s.lostTokens, 0),
    String(s.brokenSessions),
    formatNumber(s.tokensPerSecond, 0),
    `${formatNumber(s.ttftP50Ms, 1)} / ${formatNumber(s.ttftP95Ms, 1)}`,
    formatNumber(s.delayP50Ms, 2),
    formatNumber(s.delayP95Ms, 2),
    formatNumber(s.delayP99Ms, 2),
    formatNumber(s.steadyP99Ms, 2),
    formatNumber(s.jitterP99Ms, 2),
    `${formatNumber(s.cpuPercent, 0)}%`,
    formatNumber(s.peakRssMb, 0) + (s.viewerPeakRssMb === null ? "" : ` + ${formatNumber(s.viewerPeakRssMb, 0)}`),
    `${formatNumber(s.rssAfterMb, 0)} / ${formatNumber(s.heapUsedAfterMb, 0)} / ${formatNumber(s.heapRetainedMb, 1)}`,
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
      "tokens/s received",
      "TTFT p50 / p95 ms",
      "added delay p50 ms",
      "p95 ms",
      "p99 ms",
      "steady-state p99 ms",
      "jitter p99 ms",
      "server CPU",
      "server peak RSS MB",
      "after the step: RSS / heap used / heap retained MB",
      "upstream / load-client CPU",
      `p99 < ${P99_LIMIT_MS} ms`,
    ],
    rows: [
      ...main.map((s) => row(s, s.server === "alma" ? "alma" : "bare ws relay (reference)")),
      ...bareSteps.map((s) => row(s, "bare ws relay (step search)")),
      ...steps.map((s) => row(s, "alma (step search)")),
      ...redis.steps.map((s) => row(s, s.server === "alma-redis" ? "alma on Redis" : "alma on Redis, viewers on the other instance")),
    ],
    notes: [
      almaMain
        ? `goal 0 tokens lost at ${target} sessions: ${almaMain.lostTokens} lost, ${almaMain.brokenSessions} broken → ${almaMain.lostTokens === 0 && almaMain.brokenSessions === 0 ? "met" : "MISSED"}`
        : "",
      maxPassing !== null && bareMaxPassing !== null
        ? `highest session count with p99 added delay < ${P99_LIMIT_MS} ms and nothing lost (same search, same run): alma ${passing(maxPassing)}, bare relay ${passing(bareMaxPassing)}` +
          (bareMaxPassing > 0
            ? ` → alma/bare ${formatNumber(maxPassing / bareMaxPassing, 2)} (goal ≥ 0.8: ${maxPassing / bareMaxPassing >= 0.8 ? "met" : "MISSED"})`
            : "")
        : "",
      "heap retained: after a full GC once the step's sessions closed; it stays flat across steps while RSS and heap used keep what the GC had not yet reclaimed",
      ...main.flatMap((s) => s.errors.map((e) => `${s.server} error: ${e}`)),
      ...redis.skipped,
      ...[...bareSteps, ...steps, ...redis.steps].flatMap((s) => s.errors.slice(0, 2).map((e) => `${s.server} ${s.sessions} sessions error: ${e}`)),
    ].filter(Boolean),
  };
  const flushTable: BenchTable = {
    title: `Flush cost: a live answer's partial text stored every 500 ms (${TOKENS_PER_FLUSH_LABEL}), whole-row rewrite vs append, ${flushRounds} rounds, same store, same run`,
    columns: ["database", "concurrent sessions", "rewrite: one round ms", "append: one round ms", "rewrite / append"],
    rows: flush.costs.map((c) => [
      c.database,
      formatNumber(c.sessions, 0),
      formatNumber(c.rewriteRoundMs, 2),
      formatNumber(c.appendRoundMs, 2),
      `${formatNumber(c.ratio, 2)}×`,
    ]),
    notes: [
      "a round flushes every session once; the rewrite sends the whole text so far (and reads the row back on SQLite), the append only the text since the last flush",
      flush.postgresError ? `PostgreSQL not measured: ${flush.postgresError}` : "",
    ].filter(Boolean),
  };
  const searchTable: BenchTable = {
    title: "PostgreSQL: a long streaming answer's append with its search text made at every flush (migration 4) vs once it ends (migration 5), same run",
    columns: ["concurrent answers", "answer length so far", "generated column: one round ms", "trigger: one round ms", "generated / trigger"],
    rows:
      typeof searchCost === "string"
        ? []
        : [
            [
              formatNumber(searchCost.sessions, 0),
              `${formatNumber(searchCost.prefillChars, 0)} characters`,
              formatNumber(searchCost.generatedRoundMs, 2),
              formatNumber(searchCost.triggerRoundMs, 2),
              `${formatNumber(searchCost.ratio, 2)}×`,
            ],
          ],
    notes: [
      typeof searchCost === "string"
        ? `PostgreSQL not measured: ${searchCost}`
        : `${searchCost.rounds} rounds, alternating; a round appends 10 tokens of text to every answer over the store's pool`,
    ],
  };
  return {
    target,
    rate,
    main,
    search: steps,
    bareSearch: bareSteps,
    redis: redis.steps,
    redisSkipped: redis.skipped,
    maxPassingSessions: maxPassing,
    bareMaxPassingSessions: bareMaxPassing,
    flushCosts: flush.costs,
    table,
    tables: [table, redisRatioTable([...main, ...steps], redis.steps, redis.skipped), flushTable, searchTable],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const quick = process.argv.includes("--quick");
  const result = await runConcurrencyBench({ quick, search: !quick && !process.argv.includes("--no-search") });
  for (const table of result.tables) console.log(`${renderTable(table)}\n`);
}
