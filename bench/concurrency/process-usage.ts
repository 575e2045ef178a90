import { readFileSync } from "node:fs";

/** CPU time (ms, user + system) and resident set size (bytes) of another process, read from /proc. */
export function readProcessUsage(pid: number): { cpuMs: number; rssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // fields after the command name, which may itself contain spaces, start after the last ")"
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticksPerSecond = 100;
  const cpuMs = ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000;
  const rssPages = Number(fields[21]);
  return { cpuMs, rssBytes: rssPages * 4096 };
}

/** Samples a process's RSS until stopped; returns the peak and the CPU share over the sampled span. */
export function watchProcess(pid: number, everyMs = 200) {
  const start = readProcessUsage(pid);
  const startedAt = performance.now();
  let peakRss = start.rssBytes;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, readProcessUsage(pid).rssBytes);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const end = readProcessUsage(pid);
      peakRss = Math.max(peakRss, end.rssBytes);
      const wallMs = performance.now() - startedAt;
      return { cpuPercent: ((end.cpuMs - start.cpuMs) / wallMs) * 100, peakRssBytes: peakRss, endRssBytes: end.rssBytes };
    },
  };
}
