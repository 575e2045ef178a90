import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

/** Self time per function in a V8 .cpuprofile (from node --cpu-prof): the flame graph's widest leaves, as text. */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export function topFunctions(file: string, limit = 25): Array<{ name: string; selfPercent: number }> {
  const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: ProfileNode[]; samples: number[] };
  const hits = new Map<number, number>();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const total = profile.samples.length;
  const byName = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^.*node_modules\/(\.pnpm\/)?/, "").replace(/^file:\/\/.*\/work\/main\//, "")}:${lineNumber + 1}` : "";
    const name = `${functionName || "(anonymous)"} ${where}`.trim();
    byName.set(name, (byName.get(name) ?? 0) + (hits.get(node.id) ?? 0));
  }
  return [...byName.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, n]) => ({ name, selfPercent: (n / total) * 100 }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: tsx lib/top-functions.ts <file.cpuprofile> [limit]");
    process.exit(2);
  }
  for (const f of topFunctions(file, Number(process.argv[3] ?? 25))) console.log(`${f.selfPercent.toFixed(1).padStart(5)}%  ${f.name}`);
}
