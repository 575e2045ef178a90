import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { once } from "node:events";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium, type Page } from "@playwright/test";
import { summarize, formatSummary, type Summary } from "./lib/stats.js";
import { renderTable, type BenchTable } from "./lib/print-table.js";

/**
 * Benchmark 6: the browser's render cost while an answer streams at 500 tokens/s. Reuses the web app's
 * end-to-end stack (apps/web/e2e/start-stack.ts: fake upstream, real alma server, `next start`), whose
 * "stream fast" scenario answers 1,000 tokens at 500 tokens/s. In Chromium, per round: long tasks
 * (PerformanceObserver "longtask") and frames (requestAnimationFrame timestamps; a gap of n frame
 * intervals counts n − 1 dropped frames) between the send and the answer's completion.
 */
export interface BrowserBenchResult {
  rounds: number;
  streamMs: Summary;
  longTasks: Summary;
  longTaskTotalMs: Summary;
  longestTaskMs: Summary;
  frames: Summary;
  droppedFrames: Summary;
  droppedPercent: Summary;
  worstFrameGapMs: Summary;
  table: BenchTable;
}

const webDir = fileURLToPath(new URL("../apps/web/", import.meta.url));
const chromiumPath = process.env.PLAYWRIGHT_CHROMIUM_PATH ?? "/usr/bin/chromium";
// the e2e stack's ports are ALMA_E2E_BASE_PORT (web) and the next one (its control endpoint); away from the tests' own
const port = Number(process.env.BENCH_WEB_PORT ?? 3127);

/** A benchmark that cannot run on this machine as it is: run-all reports it, without counting it as a crash. */
export class MissingPrerequisite extends Error {
  override readonly name = "MissingPrerequisite";
}

async function startStack(): Promise<ChildProcess> {
  if (!existsSync(`${webDir}.next/BUILD_ID`)) {
    throw new MissingPrerequisite("the web app is not built: run `pnpm --filter @alma/web build` first (the browser benchmark measures the production build)");
  }
  if (!existsSync(chromiumPath)) {
    throw new MissingPrerequisite(`no Chromium at ${chromiumPath}: install it, or set PLAYWRIGHT_CHROMIUM_PATH`);
  }
  const stack = spawn(process.execPath, ["--import", "tsx", "e2e/start-stack.ts"], {
    cwd: webDir,
    env: { ...process.env, ALMA_E2E_BASE_PORT: String(port), ALMA_E2E_LOG_LEVEL: "error" },
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    if (stack.exitCode !== null) throw new Error(`the web app's e2e stack exited with code ${stack.exitCode}`);
    const up = await fetch(`http://127.0.0.1:${port}/`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return stack;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the web app did not answer on port ${port} within 120 s`);
}

async function stopStack(stack: ChildProcess) {
  if (stack.exitCode !== null) return;
  const gone = once(stack, "exit");
  // the stack's own child (next start) is in its process group
  process.kill(-stack.pid!, "SIGTERM");
  await gone;
}

interface RoundFigures {
  streamMs: number;
  longTasks: number[];
  frameTimes: number[];
}

async function streamOnce(page: Page): Promise<RoundFigures> {
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.getByTestId("model-status").and(page.locator('[data-state="ready"]')).waitFor({ timeout: 30_000 });
  await page.getByTestId("task-type").click();
  await page.getByTestId("task-type-creative").click();
  await page.waitForTimeout(300);
  // a string, not a function: tsx would wrap a function's inner functions in a helper the page does not have
  await page.evaluate(`(() => {
    const b = (window.__bench = { longTasks: [], frames: [], recording: true });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) b.longTasks.push([e.startTime, e.duration]);
    }).observe({ type: "longtask" });
    const tick = (t) => {
      if (!b.recording) return;
      b.frames.push(t);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  const t0 = await page.evaluate(() => performance.now());
  const composer = page.getByTestId("composer");
  await composer.fill("Please stream fast");
  await composer.press("Enter");
  await page.locator('[data-testid="message"][data-role="assistant"][data-status="complete"]').last().waitFor({ timeout: 60_000 });
  const t1 = await page.evaluate(() => performance.now());
  await page.waitForTimeout(300);
  const raw = await page.evaluate(() => {
    const w = window as unknown as { __bench: { longTasks: Array<[number, number]>; frames: number[]; recording: boolean } };
    w.__bench.recording = false;
    return w.__bench;
  });
  return {
    streamMs: t1 - t0,
    longTasks: raw.longTasks.filter(([start]) => start >= t0 && start <= t1).map(([, d]) => d),
    frameTimes: raw.frames.filter((t) => t >= t0 && t <= t1),
  };
}

export async function runBrowserBench({ quick = false }: { quick?: boolean } = {}): Promise<BrowserBenchResult> {
  const rounds = quick ? 1 : 5;
  const stack = await startStack();
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-gpu"] });
  try {
    const results: RoundFigures[] = [];
    for (let i = 0; i < rounds; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      results.push(await streamOnce(page));
      await page.close();
    }
    const frameStats = results.map((r) => {
      const gaps = r.frameTimes.slice(1).map((t, i) => t - r.frameTimes[i]!);
      // the display's frame interval, from the most common gap (60 Hz in headless Chromium)
      const interval = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)] ?? 1000 / 60;
      const dropped = gaps.reduce((n, g) => n + Math.max(0, Math.round(g / interval) - 1), 0);
      return { frames: r.frameTimes.length, dropped, droppedPercent: (dropped / (r.frameTimes.length + dropped)) * 100, worstGap: Math.max(0, ...gaps) };
    });
    const s = {
      streamMs: summarize(results.map((r) => r.streamMs)),
      longTasks: summarize(results.map((r) => r.longTasks.length)),
      longTaskTotalMs: summarize(results.map((r) => r.longTasks.reduce((a, b) => a + b, 0))),
      longestTaskMs: summarize(results.map((r) => Math.max(0, ...r.longTasks))),
      frames: summarize(frameStats.map((f) => f.frames)),
      droppedFrames: summarize(frameStats.map((f) => f.dropped)),
      droppedPercent: summarize(frameStats.map((f) => f.droppedPercent)),
      worstFrameGapMs: summarize(frameStats.map((f) => f.worstGap)),
    };
    const table: BenchTable = {
      title: `Browser: 1,000 tokens at 500 tokens/s rendered in Chromium (${rounds} rounds, median (min–max))`,
      columns: ["figure", "value"],
      rows: [
        ["send → answer complete, ms", formatSummary(s.streamMs, 0)],
        ["long tasks (> 50 ms)", formatSummary(s.longTasks, 0)],
        ["long-task time, ms", formatSummary(s.longTaskTotalMs, 0)],
        ["longest task, ms", formatSummary(s.longestTaskMs, 0)],
        ["frames painted", formatSummary(s.frames, 0)],
        ["frames dropped", formatSummary(s.droppedFrames, 0)],
        ["frames dropped, %", formatSummary(s.droppedPercent, 1)],
        ["worst gap between frames, ms", formatSummary(s.worstFrameGapMs, 1)],
      ],
    };
    return { rounds, ...s, table };
  } finally {
    await browser.close();
    await stopStack(stack);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await runBrowserBench({ quick: process.argv.includes("--quick") });
  console.log(renderTable(result.table));
}
