import type { BenchChild } from "../lib/child.js";
import { formatNumber } from "../lib/stats.js";
import type { BenchTable } from "../lib/print-table.js";
import { PathSkipped, pathLabels } from "../relay/start-paths.js";
import { startRedisPath } from "../relay/redis-paths.js";
import { type ConcurrencyStep, measureStep } from "./measure-step.js";

/**
 * The concurrency benchmark's Redis paths, at the session counts the in-process path was measured at (the main step,
 * and the largest count alma held under the p99 limit): one instance on Redis, then two with the viewers on the one
 * that does not run the answers. A Redis or PostgreSQL that does not answer is a skipped line, not a crash.
 */
export async function measureRedisSteps(
  upstream: BenchChild<{ url: string }>,
  counts: readonly number[],
  tokens: (sessions: number) => number,
  rate: number,
): Promise<{ steps: ConcurrencyStep[]; skipped: string[] }> {
  const steps: ConcurrencyStep[] = [];
  const skipped: string[] = [];
  for (const kind of ["alma-redis", "alma-redis-other"] as const) {
    let path: Awaited<ReturnType<typeof startRedisPath>>;
    try {
      path = await startRedisPath(kind, upstream.ready.url, { execArgv: ["--expose-gc"] });
    } catch (error) {
      if (!(error instanceof PathSkipped)) throw error;
      skipped.push(`${pathLabels[kind]}: ${error.message}`);
      continue;
    }
    try {
      for (const n of counts) steps.push(await measureStep(upstream, { kind, server: path.child, viewer: path.others?.[0] }, n, tokens(n), rate));
    } finally {
      await Promise.all([path.child, ...(path.others ?? [])].map((c) => c.stop()));
      await path.cleanup?.();
    }
  }
  return { steps, skipped };
}

const times = (a: number, b: number) => `${formatNumber(a / b, 2)}×`;

/** Each Redis step beside the in-process step at the same session count and token count, as ratios. */
export function redisRatioTable(inProcess: readonly ConcurrencyStep[], redis: readonly ConcurrencyStep[], skipped: readonly string[]): BenchTable {
  const rows = redis.flatMap((r) => {
    const base = inProcess.find((s) => s.server === "alma" && s.sessions === r.sessions && s.expectedTokens === r.expectedTokens);
    if (!base) return [];
    return [
      [
        pathLabels[r.server as "alma-redis" | "alma-redis-other"],
        formatNumber(r.sessions, 0),
        `${formatNumber(r.lostTokens, 0)} / ${r.brokenSessions}`,
        times(r.tokensPerSecond, base.tokensPerSecond),
        times(r.ttftP50Ms, base.ttftP50Ms),
        times(r.ttftP95Ms, base.ttftP95Ms),
        times(r.delayP50Ms, base.delayP50Ms),
        times(r.delayP95Ms, base.delayP95Ms),
        times(r.delayP99Ms, base.delayP99Ms),
        times(r.cpuPercent, base.cpuPercent),
        times(r.peakRssMb, base.peakRssMb) + (r.viewerPeakRssMb === null ? "" : ` (A + B: ${times(r.peakRssMb + r.viewerPeakRssMb, base.peakRssMb)})`),
      ],
    ];
  });
  return {
    title: "Concurrency: alma on Redis / alma in-process, same session count, same run (> 1 is slower for times, faster for tokens/s)",
    columns: [
      "path",
      "sessions",
      "tokens lost / broken sessions (Redis)",
      "tokens/s",
      "TTFT p50",
      "TTFT p95",
      "added delay p50",
      "p95",
      "p99",
      "server CPU",
      "server peak RSS",
    ],
    rows: [...rows, ...skipped.map((s) => [s.slice(0, s.indexOf(": ")), s.slice(s.indexOf(": ") + 2), "", "", "", "", "", "", "", "", ""])],
    notes: [
      "a step that lost tokens is not comparable: its times cover only the sessions that streamed (see its errors under the table above)",
      "viewer on the other instance: each session sends on A and is measured on B (its conversation opened there first, every frame through Redis); A's sockets stay open and get the frames too; CPU is both instances', RSS ratio is A's (A + B in brackets); both on one PostgreSQL database",
    ],
  };
}
