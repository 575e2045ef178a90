import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startFakeOpenAI } from "@alma/testing";
import { renderTable, type BenchTable } from "./lib/print-table.js";
import { formatNumber, formatSummary, type Summary, summarize } from "./lib/stats.js";

/**
 * Benchmark: the server's start — the time from spawning it to its /health answering 200 — and its idle memory
 * (resident set of the whole process tree, after it has sat idle), for the production build (`node dist/main.js`,
 * what `pnpm start:server` runs) against TypeScript through tsx (`tsx src/main.ts`, what it ran before: the tsx CLI
 * plus the node it starts; and `node --import tsx`, one process). Same run, same settings, the order rotated each
 * round, one unmeasured warm-up each (tsx keeps its compile cache between starts, as it would in production).
 * Every server talks to a fake OpenAI-compatible upstream, as a configured production server would.
 */
const SERVER_DIR = fileURLToPath(new URL("../apps/server/", import.meta.url));
const DIST_MAIN = join(SERVER_DIR, "dist", "main.js");
const LISTENING = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/;

type Mode = "built" | "tsx" | "tsx-import";

const MODES: Record<Mode, { label: string; args: () => string[] }> = {
  built: { label: "built: node dist/main.js", args: () => [DIST_MAIN] },
  tsx: { label: "tsx src/main.ts (before)", args: () => [createRequire(join(SERVER_DIR, "package.json")).resolve("tsx/cli"), "src/main.ts"] },
  "tsx-import": { label: "node --import tsx src/main.ts", args: () => ["--import", "tsx", "src/main.ts"] },
};

export interface ServerStartFigures {
  mode: Mode;
  label: string;
  startMs: Summary;
  idleRssMb: Summary;
  processes: number;
}

export interface ServerStartBenchResult {
  rounds: number;
  idleMs: number;
  figures: ServerStartFigures[];
  /** tsx CLI over built: how many times longer the start, how many times the memory */
  startRatio: number;
  rssRatio: number;
  table: BenchTable;
}

/** the pid and every descendant's, from /proc */
function processTree(pid: number): number[] {
  const out = [pid];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    let children = "";
    try {
      children = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8");
    } catch {
      continue;
    }
    for (const child of children.split(" ").filter(Boolean)) out.push(...processTree(Number(child)));
  }
  return out;
}

/** resident set size in bytes (VmRSS) */
function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

async function healthy(url: string, deadline: number): Promise<void> {
  while (performance.now() < deadline) {
    const ok = await fetch(`${url}/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${url}/health did not answer in time`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = once(child, "exit");
  child.kill("SIGTERM");
  const kill = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await gone;
  clearTimeout(kill);
}

/** one start: spawn → listening → /health 200; then idle for `idleMs` and read the tree's memory */
async function startOnce(mode: Mode, env: Record<string, string>, idleMs: number): Promise<{ startMs: number; rssBytes: number; processes: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, MODES[mode].args(), { cwd: SERVER_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
  try {
    let out = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${mode}: not listening after 120 s; its output:\n${out}`)), 120_000);
      child.stdout!.on("data", (b: Buffer) => {
        out += b.toString();
        const m = LISTENING.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.stderr!.on("data", (b: Buffer) => {
        out += b.toString();
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${mode}: exited (${code}) before listening; its output:\n${out}`));
      });
    });
    await healthy(url, t0 + 120_000);
    const startMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, idleMs));
    const tree = processTree(child.pid!);
    const rssBytes = tree.reduce((n, pid) => n + rssOf(pid), 0);
    return { startMs, rssBytes, processes: tree.length };
  } finally {
    await stop(child);
  }
}

export async function runServerStartBench({ quick = false }: { quick?: boolean } = {}): Promise<ServerStartBenchResult> {
  const rounds = quick ? 2 : 7;
  const idleMs = quick ? 1000 : 3000;
  // the build under test is the current source's
  const built = spawnSync(process.execPath, [join(SERVER_DIR, "scripts", "server-build.mjs")], { stdio: "inherit" });
  if (built.status !== 0 || !existsSync(DIST_MAIN)) throw new Error("could not build the server (node apps/server/scripts/server-build.mjs)");

  const upstream = await startFakeOpenAI();
  const dir = mkdtempSync(join(tmpdir(), "alma-start-bench-"));
  const modes = Object.keys(MODES) as Mode[];
  const samples = new Map<Mode, { startMs: number[]; rss: number[]; processes: number }>(modes.map((m) => [m, { startMs: [], rss: [], processes: 0 }]));
  let n = 0;
  const envFor = (mode: Mode): Record<string, string> => ({
    PATH: process.env.PATH ?? "",
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: "info",
    LOG_FORMAT: "json",
    ALMA_PROVIDER: "openai",
    OPENAI_BASE_URL: upstream.url,
    OPENAI_API_KEY: "sk-bench",
    OPENAI_MODEL: "gpt-4o-mini",
    ALMA_DB_PATH: join(dir, `${mode}-${n++}.db`),
  });
  try {
    for (const mode of modes) await startOnce(mode, envFor(mode), 0); // warm-up: disk cache, tsx's compile cache
    for (let round = 0; round < rounds; round++) {
      const order = modes.map((_, i) => modes[(i + round) % modes.length]!);
      for (const mode of order) {
        const r = await startOnce(mode, envFor(mode), idleMs);
        const s = samples.get(mode)!;
        s.startMs.push(r.startMs);
        s.rss.push(r.rssBytes / 2 ** 20);
        s.processes = r.processes;
      }
    }
  } finally {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const figures: ServerStartFigures[] = modes.map((mode) => {
    const s = samples.get(mode)!;
    return { mode, label: MODES[mode].label, startMs: summarize(s.startMs), idleRssMb: summarize(s.rss), processes: s.processes };
  });
  const of = (mode: Mode) => figures.find((f) => f.mode === mode)!;
  const startRatio = of("tsx").startMs.median / of("built").startMs.median;
  const rssRatio = of("tsx").idleRssMb.median / of("built").idleRssMb.median;
  const importStart = of("tsx-import").startMs.median / of("built").startMs.median;
  const importRss = of("tsx-import").idleRssMb.median / of("built").idleRssMb.median;
  const table: BenchTable = {
    title: `Server start: built vs tsx (${rounds} rounds, idle ${idleMs / 1000} s before reading memory)`,
    columns: ["server", "start → /health 200 (ms)", "idle RSS (MB)", "processes"],
    rows: figures.map((f) => [f.label, formatSummary(f.startMs, 0), formatSummary(f.idleRssMb, 1), String(f.processes)]),
    notes: [
      `tsx src/main.ts / built: start ${formatNumber(startRatio)}×, idle RSS ${formatNumber(rssRatio)}× (medians)`,
      `node --import tsx / built: start ${formatNumber(importStart)}×, idle RSS ${formatNumber(importRss)}×`,
      "RSS is the whole process tree's (the tsx CLI runs the server in a child node); provider: openai, against a fake upstream",
    ],
  };
  return { rounds, idleMs, figures, startRatio, rssRatio, table };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await runServerStartBench({ quick: process.argv.includes("--quick") });
  console.log(renderTable(result.table));
}
