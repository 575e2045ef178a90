import { pathToFileURL } from "node:url";
import { startChild } from "./lib/child.js";
import { percentile, summarize, formatSummary, formatNumber, type Summary } from "./lib/stats.js";
import { renderTable, type BenchTable } from "./lib/print-table.js";
import { startPath, type PathName, type PathUnderTest } from "./relay/start-paths.js";
import type { StreamClient } from "./relay/stream-clients.js";

/**
 * Benchmark 2: time-to-first-token overhead. Per sample: (client send → first token received) minus the
 * upstream's own (request arrival → first token written), both on the machine-wide monotonic clock.
 * Each round builds a fresh conversation of 200 messages through the path itself (100 exchanges), then
 * measures `samplesPerRound` sends into it, so the path carries the whole history as it would in use.
 */
export interface TtftPathFigures {
  name: PathName;
  label: string;
  samples: number;
  overheadP50Ms: number;
  overheadP99Ms: number;
  /** spread of the per-round p50s */
  roundP50Ms: Summary;
  clientTtftP50Ms: number;
  /** alma only: medians of the run's own marks, ms after the server received the message */
  serverMarks: { requestBuiltMs: number; upstreamStartedMs: number; firstTokenMs: number } | null;
}

export interface TtftBenchResult {
  conversationMessages: number;
  rounds: number;
  paths: TtftPathFigures[];
  table: BenchTable;
}

const filler =
  "Here is some context about the project we discussed yesterday: the deployment runs on two small machines, " +
  "the database is SQLite in WAL mode, and the team wants answers to arrive as soon as the model produces them.";

export async function runTtftBench({ quick = false, paths: only }: { quick?: boolean; paths?: PathName[] } = {}): Promise<TtftBenchResult> {
  const exchanges = 100;
  const rounds = quick ? 1 : 5;
  const samplesPerRound = quick ? 10 : 40;
  const names: PathName[] = only ?? ["alma", "aisdk"];

  const upstream = await startChild<{ url: string }>(new URL("./lib/upstream-process.ts", import.meta.url));
  const paths: PathUnderTest[] = [];
  try {
    for (const name of names) paths.push(await startPath(name, upstream.ready.url));
    const overheads = new Map<PathName, number[]>();
    const roundP50s = new Map<PathName, number[]>();
    const clientTtfts = new Map<PathName, number[]>();
    const marks = new Map<PathName, { built: number[]; started: number[]; first: number[] }>();
    for (let round = 0; round < rounds; round++) {
      for (const path of paths) {
        const client: StreamClient = await path.connect();
        for (let i = 0; i < exchanges; i++) await client.stream(`n=20 rate=0 seed ${i}. ${filler}`);
        const roundOverheads: number[] = [];
        for (let i = 0; i < samplesPerRound; i++) {
          const s = await client.stream(`n=5 rate=0 ttft=0 question ${i}. ${filler}`);
          const overhead = s.firstReceivedAt - s.sentAt - (s.upstreamFirstEmitAt - s.upstreamArrivalAt);
          if (!Number.isFinite(overhead)) throw new Error(`${path.label}: the first token carried no upstream arrival stamp`);
          roundOverheads.push(overhead);
          clientTtfts.set(path.name, [...(clientTtfts.get(path.name) ?? []), s.firstReceivedAt - s.sentAt]);
          if (s.serverMarks) {
            const m = marks.get(path.name) ?? { built: [], started: [], first: [] };
            m.built.push(s.serverMarks.requestBuiltMs ?? Number.NaN);
            m.started.push(s.serverMarks.upstreamStartedMs ?? Number.NaN);
            m.first.push(s.serverMarks.firstTokenMs ?? Number.NaN);
            marks.set(path.name, m);
          }
        }
        await client.close();
        overheads.set(path.name, [...(overheads.get(path.name) ?? []), ...roundOverheads]);
        roundP50s.set(path.name, [...(roundP50s.get(path.name) ?? []), percentile(roundOverheads, 50)]);
      }
    }
    const figures: TtftPathFigures[] = paths.map((p) => {
      const all = overheads.get(p.name)!;
      return {
        name: p.name,
        label: p.label,
        samples: all.length,
        overheadP50Ms: percentile(all, 50),
        overheadP99Ms: percentile(all, 99),
        roundP50Ms: summarize(roundP50s.get(p.name)!),
        clientTtftP50Ms: percentile(clientTtfts.get(p.name)!, 50),
        serverMarks: marks.has(p.name)
          ? {
              requestBuiltMs: percentile(marks.get(p.name)!.built, 50),
              upstreamStartedMs: percentile(marks.get(p.name)!.started, 50),
              firstTokenMs: percentile(marks.get(p.name)!.first, 50),
            }
          : null,
      };
    });
    const alma = figures.find((f) => f.name === "alma");
    const table: BenchTable = {
      title: `Time-to-first-token overhead, conversation of ${exchanges * 2} messages (${rounds} rounds × ${samplesPerRound} sends)`,
      columns: ["path", "samples", "overhead p50 ms", "overhead p99 ms", "p50 per round ms", "client TTFT p50 ms"],
      rows: figures.map((f) => [
        f.label,
        String(f.samples),
        formatNumber(f.overheadP50Ms, 3),
        formatNumber(f.overheadP99Ms, 3),
        formatSummary(f.roundP50Ms, 3),
        formatNumber(f.clientTtftP50Ms, 3),
      ]),
      notes: alma
        ? [
            `goal p50 < 3 ms: ${formatNumber(alma.overheadP50Ms, 3)} ms → ${alma.overheadP50Ms < 3 ? "met" : "MISSED"}`,
            `goal p99 < 15 ms: ${formatNumber(alma.overheadP99Ms, 3)} ms → ${alma.overheadP99Ms < 15 ? "met" : "MISSED"}`,
          ]
        : ["alma not measured"],
    };
    if (alma?.serverMarks) {
      const m = alma.serverMarks;
      table.notes!.push(
        `alma's own marks (median ms after receipt): request built ${formatNumber(m.requestBuiltMs, 2)}, upstream request sent ${formatNumber(m.upstreamStartedMs, 2)}, first token ${formatNumber(m.firstTokenMs, 2)}`,
      );
    }
    return { conversationMessages: exchanges * 2, rounds, paths: figures, table };
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
  const result = await runTtftBench({ quick: process.argv.includes("--quick"), paths: only });
  console.log(renderTable(result.table));
}
