import { startChild, type BenchChild } from "../lib/child.js";
import type { MemoryReport } from "../lib/memory-probe.js";
import type { LoadRequest, LoadResult } from "./load-client.js";
import { watchProcess } from "./process-usage.js";

/** One step of the concurrency benchmark: `sessions` sessions on one server (or two instances), measured. */
export type StepServer = "alma" | "bare" | "alma-redis" | "alma-redis-other";

export interface ConcurrencyStep extends LoadResult {
  server: StepServer;
  /** the server's CPU share (both instances' when the viewers are on another) */
  cpuPercent: number;
  upstreamCpuPercent: number;
  loadCpuPercent: number;
  /** of the instance running the answers */
  peakRssMb: number;
  /** of the viewers' instance, when it is another */
  viewerPeakRssMb: number | null;
  /** after the step, its sessions closed: RSS and heap used as the step left them, then the heap a full GC keeps */
  rssAfterMb: number;
  heapUsedAfterMb: number;
  heapRetainedMb: number;
  lostTokens: number;
  passed: boolean;
}

export const P99_LIMIT_MS = 25;
/** sessions start their answers spread over this span (users do not all press enter in the same millisecond) */
const START_SPREAD_MS = 1000;

/** The server under a step: the instance running the answers and, for alma-redis-other, the viewers' instance. */
export interface StepTarget {
  kind: StepServer;
  server: BenchChild<{ url: string }>;
  viewer?: BenchChild<{ url: string }>;
}

export async function measureStep(
  upstream: BenchChild<{ url: string }>,
  target: StepTarget,
  sessions: number,
  tokens: number,
  rate: number,
): Promise<ConcurrencyStep> {
  const { kind, server, viewer } = target;
  const load = await startChild<{ ready: true }>(new URL("./load-client.ts", import.meta.url));
  try {
    const watch = watchProcess(server.process.pid!);
    const watchViewer = viewer ? watchProcess(viewer.process.pid!) : null;
    const watchUpstream = watchProcess(upstream.process.pid!);
    const watchLoad = watchProcess(load.process.pid!);
    const request: LoadRequest = {
      url: server.ready.url,
      mode: kind === "bare" ? "bare" : "alma",
      sessions,
      tokens,
      rate,
      startSpreadMs: START_SPREAD_MS,
      ...(viewer ? { viewerUrl: viewer.ready.url } : {}),
    };
    const result = await load.request<LoadResult & { crash?: string }>(request);
    const usage = watch.stop();
    const viewerUsage = watchViewer?.stop() ?? null;
    const upstreamCpu = watchUpstream.stop().cpuPercent;
    const loadCpu = watchLoad.stop().cpuPercent;
    if (result.crash) throw new Error(`the load client crashed: ${result.crash}`);
    const memory = await server.request<MemoryReport>({ type: "memory" });
    const lostTokens = result.expectedTokens - result.receivedTokens;
    return {
      ...result,
      server: kind,
      cpuPercent: usage.cpuPercent + (viewerUsage?.cpuPercent ?? 0),
      upstreamCpuPercent: upstreamCpu,
      loadCpuPercent: loadCpu,
      peakRssMb: usage.peakRssBytes / 2 ** 20,
      viewerPeakRssMb: viewerUsage ? viewerUsage.peakRssBytes / 2 ** 20 : null,
      rssAfterMb: memory.rssBytes / 2 ** 20,
      heapUsedAfterMb: memory.heapUsedBeforeGcBytes / 2 ** 20,
      heapRetainedMb: memory.heapUsedBytes / 2 ** 20,
      lostTokens,
      passed: lostTokens === 0 && result.brokenSessions === 0 && result.delayP99Ms < P99_LIMIT_MS,
    };
  } finally {
    await load.stop();
  }
}
