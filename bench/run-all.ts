import { existsSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { renderTable, type BenchTable } from "./lib/print-table.js";
import { runRelayBench } from "./relay.bench.js";
import { runTtftBench } from "./ttft.bench.js";
import { runConcurrencyBench } from "./concurrency.bench.js";
import { runEmbeddedBench } from "./embedded.bench.js";
import { runAnalyticalPaceBench } from "./analytical-pace.bench.js";
import { MissingPrerequisite, runBrowserBench } from "./browser.bench.js";
import { runServerStartBench } from "./server-start.bench.js";

/**
 * Runs every benchmark in turn and prints one table each. Exits non-zero only when a benchmark crashes:
 * `--quick` is CI's smoke test and asserts nothing about times. `--only=relay,ttft` picks benchmarks.
 */
type Bench = { name: string; run: (opts: { quick: boolean }) => Promise<unknown> };

const quick = process.argv.includes("--quick");
const only = process.argv
  .find((a) => a.startsWith("--only="))
  ?.slice(7)
  .split(",");

const benches: Bench[] = [
  { name: "relay", run: runRelayBench },
  { name: "ttft", run: runTtftBench },
  { name: "concurrency", run: runConcurrencyBench },
  {
    name: "memory",
    run: async (opts) => {
      // owned by the memory module's helper; included whenever it is present
      const file = new URL("./memory-trim.bench.ts", import.meta.url);
      if (!existsSync(file)) return { skipped: "bench/memory-trim.bench.ts does not exist yet" };
      const mod = (await import(file.href)) as { runMemoryBench: (o: { quick: boolean }) => Promise<unknown> };
      return mod.runMemoryBench(opts);
    },
  },
  { name: "embedded", run: runEmbeddedBench },
  { name: "analytical", run: runAnalyticalPaceBench },
  { name: "browser", run: runBrowserBench },
  { name: "server-start", run: runServerStartBench },
];

function isTable(value: unknown): value is BenchTable {
  const t = value as BenchTable | undefined;
  return typeof t?.title === "string" && Array.isArray(t.columns) && Array.isArray(t.rows);
}

function print(name: string, result: unknown) {
  const table = (result as { table?: unknown })?.table;
  const tables = (result as { tables?: unknown })?.tables;
  if (Array.isArray(tables) && tables.every(isTable)) for (const t of tables) console.log(`${renderTable(t)}\n`);
  else if (isTable(table)) console.log(renderTable(table));
  else if (Array.isArray((result as { tables?: unknown })?.tables))
    for (const t of (result as { tables: unknown[] }).tables) console.log(isTable(t) ? renderTable(t) : JSON.stringify(t, null, 2));
  else console.log(`### ${name}\n\n${JSON.stringify(result, null, 2)}`);
  console.log();
}

console.log(
  `alma benchmarks (${quick ? "quick smoke test: times are not meaningful" : "full"}) — ${new Date().toISOString()}, ` +
    `node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"}), ${Math.round(totalmem() / 2 ** 30)} GB, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} at start\n`,
);
const crashed: string[] = [];
for (const bench of benches) {
  if (only && !only.includes(bench.name)) continue;
  const started = performance.now();
  try {
    const result = await bench.run({ quick });
    print(bench.name, result);
  } catch (error) {
    if (error instanceof MissingPrerequisite) {
      console.log(`### ${bench.name}\n\nnot run: ${error.message}\n`);
      continue;
    }
    crashed.push(bench.name);
    console.error(`benchmark "${bench.name}" crashed:`, error);
  }
  console.log(`(${bench.name}: ${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
}
if (crashed.length > 0) {
  console.error(`crashed: ${crashed.join(", ")} — see the errors above`);
  process.exit(1);
}
