import { startChild } from "./lib/child.js";
import { almaClient, bareRelayClient } from "./relay/stream-clients.js";
import { readProcessUsage } from "./concurrency/process-usage.js";
import { median } from "./lib/stats.js";
const up = await startChild<{ url: string }>(new URL("./lib/upstream-process.ts", import.meta.url));
const variants = ["base", "cork", "lean", "cork,lean"];
const servers = [] as Array<{ name: string; child: Awaited<ReturnType<typeof startChild<{ url: string }>>>; client: Awaited<ReturnType<typeof almaClient>> | Awaited<ReturnType<typeof bareRelayClient>> }>;
const bare = await startChild<{ url: string }>(new URL("./relay/bare-relay-server.ts", import.meta.url), { env: { UPSTREAM_URL: up.ready.url } });
servers.push({ name: "bare", child: bare, client: await bareRelayClient(bare.ready.url) });
for (const v of variants) {
  const child = await startChild<{ url: string }>(new URL("./relay/tmp-alma-experiment.ts", import.meta.url), { env: { UPSTREAM_URL: up.ready.url, BENCH_EXPERIMENT: v } });
  servers.push({ name: v, child, client: await almaClient(child.ready.url, { newConversationEachTime: true }) });
}
const res = new Map<string, { tps: number[]; cpu: number }>();
for (const s of servers) await s.client.stream("n=5000 rate=0");
for (let r = 0; r < 7; r++) for (const s of servers) {
  const b = readProcessUsage(s.child.process.pid!).cpuMs;
  const x = await s.client.stream("n=5000 rate=0");
  const cpu = readProcessUsage(s.child.process.pid!).cpuMs - b;
  const e = res.get(s.name) ?? { tps: [], cpu: 0 };
  e.tps.push(x.tokens / ((x.lastReceivedAt - x.sentAt) / 1000)); e.cpu += cpu; res.set(s.name, e);
}
const bareT = res.get("bare")!.tps;
for (const [n, e] of res) console.log(n.padEnd(10), "tok/s", Math.round(median(e.tps)), "vs bare", median(e.tps.map((t, i) => t / bareT[i]!)).toFixed(2), "cpu us/token", ((e.cpu * 1000) / 35000).toFixed(1));
for (const s of servers) { await s.client.close(); await s.child.stop(); }
await up.stop();
