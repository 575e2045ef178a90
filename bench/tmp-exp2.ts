import { startChild } from "./lib/child.js";
import type { LoadResult } from "./concurrency/load-client.js";
import { watchProcess } from "./concurrency/process-usage.js";
const up = await startChild<{ url: string }>(new URL("./lib/upstream-process.ts", import.meta.url));
for (const v of (process.argv[2] ?? "base,cork+lean").split(",")) {
  const child = await startChild<{ url: string }>(new URL("./relay/tmp-alma-experiment.ts", import.meta.url), { env: { UPSTREAM_URL: up.ready.url, BENCH_EXPERIMENT: v.replace("+", ",") } });
  for (const sessions of [250, 1000]) {
    const load = await startChild(new URL("./concurrency/load-client.ts", import.meta.url));
    const w = watchProcess(child.process.pid!);
    const r = await load.request<LoadResult>({ url: child.ready.url, mode: "alma", sessions, tokens: 100, rate: 20, startSpreadMs: 1000 });
    const u = w.stop();
    console.log(v, sessions, "cpu%", u.cpuPercent.toFixed(0), "rssMB", (u.peakRssBytes / 2 ** 20).toFixed(0), "lost", r.expectedTokens - r.receivedTokens, "p50", r.delayP50Ms.toFixed(1), "p99", r.delayP99Ms.toFixed(1), "steady p99", r.steadyP99Ms.toFixed(1));
    await load.stop();
  }
  await child.stop();
}
await up.stop();
