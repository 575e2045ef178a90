import { join } from "node:path";
import { writeHeapSnapshot } from "node:v8";

let snapshots = 0;

/** What a benchmark child reports of its memory once a step's sessions are closed. */
export interface MemoryReport {
  rssBytes: number;
  /** the heap as the step left it, garbage included */
  heapUsedBeforeGcBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  /** whether a full GC ran first (the child was started with --expose-gc): heapUsed is then what is still retained */
  collected: boolean;
  /** where a heap snapshot was written, when one was asked for */
  snapshot?: string;
  /** the child's own counters (e.g. live runs, open connections) */
  counters: Record<string, number>;
}

export interface MemoryProbeRequest {
  type: "memory";
  /** write a heap snapshot into this folder after the GC (compare two in Chrome DevTools' Memory tab) */
  snapshotDir?: string;
}

export function isMemoryProbeRequest(message: unknown): message is MemoryProbeRequest {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === "memory";
}

/**
 * Answers `{type:"memory"}` on the IPC channel: RSS and heap after a full GC, so a step's report tells memory still
 * held (heapUsed that does not come back down: a leak) from pages the allocator keeps (RSS above a flat heap).
 */
export function serveMemoryProbe(counters: () => Record<string, number> = () => ({})): void {
  process.on("message", (message: unknown) => {
    if (!isMemoryProbeRequest(message)) return;
    const before = process.memoryUsage().heapUsed;
    const gc = (globalThis as { gc?: () => void }).gc;
    // twice: the first pass may only queue weak callbacks and finalizers whose objects the second one frees
    gc?.();
    gc?.();
    const usage = process.memoryUsage();
    const report: MemoryReport = {
      rssBytes: usage.rss,
      heapUsedBeforeGcBytes: before,
      heapUsedBytes: usage.heapUsed,
      externalBytes: usage.external,
      collected: gc !== undefined,
      counters: counters(),
    };
    if (message.snapshotDir) report.snapshot = writeHeapSnapshot(join(message.snapshotDir, `${process.pid}-${++snapshots}.heapsnapshot`));
    process.send?.(report);
  });
}
