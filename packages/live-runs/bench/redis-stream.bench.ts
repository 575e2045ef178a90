import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import type { RunEvent } from "@alma/protocol";
import type { Redis } from "ioredis";
import { connectRedis } from "../src/connect-redis.js";
import { deleteKeysByPrefix } from "../src/delete-keys-by-prefix.js";
import { RedisKeys } from "../src/redis-keys.js";
import { RedisRunStream } from "../src/redis-run-stream.js";
import { entryFields, entryId } from "../src/run-event-codec.js";

/**
 * Relays N runs' tokens writer → Redis → follower on a second "server" (its own connections, same process so one
 * clock times emit→receive), beside the in-process path (a LiveRun hands events to its subscribers synchronously)
 * measured in the same run. Paced: every run streams at a model's pace, the latency a viewer sees. Saturated: every
 * run writes as fast as it can, the throughput. Prints one table in the shape bench/run-all.ts prints.
 */
interface PathFigures {
  label: string;
  eventsPerSecond: number;
  pacedP50: number;
  pacedP95: number;
  saturatedP50: number;
  saturatedP95: number;
}

interface Relay {
  label: string;
  /** follows every run, calling `received` per event; resolves once all are following */
  follow(runIds: string[], received: (event: RunEvent) => void): Promise<Promise<unknown>[]>;
  append(event: RunEvent): void;
  close(): Promise<void>;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function token(runId: string, index: number): RunEvent {
  return { type: "run.token", runId, index, at: Date.now(), seq: index, text: " token", agent: "manager", stepId: null };
}

function terminal(runId: string, index: number): RunEvent {
  return {
    type: "run.error",
    runId,
    index,
    at: Date.now(),
    conversationId: "c",
    assistantMessageId: "a",
    code: "internal",
    message: "end",
    retryable: false,
    partial: true,
    metrics: null,
  };
}

function inProcessRelay(): Relay {
  const listeners = new Map<string, Set<(e: RunEvent) => void>>();
  return {
    label: "in-process (LiveRun-style fan-out)",
    async follow(runIds, received) {
      return runIds.map(
        (id) =>
          new Promise<void>((resolve) => {
            const set = listeners.get(id) ?? new Set();
            listeners.set(id, set);
            set.add((e) => {
              received(e);
              if (e.type === "run.error") resolve();
            });
          }),
      );
    },
    append(event) {
      for (const f of listeners.get(event.runId) ?? []) f(event);
    },
    async close() {},
  };
}

function redisRelay(label: string, writerRedis: Redis, readerRedis: Redis, keys: RedisKeys, readerConnections: number): Relay {
  const writer = new RedisRunStream({ redis: writerRedis, keys, graceMs: 60_000 });
  const reader = new RedisRunStream({ redis: readerRedis, keys, graceMs: 60_000, readerConnections });
  return {
    label,
    async follow(runIds, received) {
      // the run exists before anyone follows (its owner claimed it), as in the server
      const pipeline = writerRedis.pipeline();
      for (const id of runIds) pipeline.set(keys.runOwner(id), "bench", "PX", 60_000);
      await pipeline.exec();
      return runIds.map((id) => reader.follow(id, -1, received));
    },
    append(event) {
      writer.append(event);
    },
    async close() {
      await writer.close();
      await reader.close();
    },
  };
}

/** runs × tokens through one relay; `rate` tokens/s per run (0: as fast as the loop goes, a tick per round) */
async function relayOnce(relay: Relay, runs: number, tokens: number, rate: number): Promise<{ latencies: number[]; seconds: number }> {
  const runIds = Array.from({ length: runs }, () => randomUUID());
  const sentAt = new Map<string, Float64Array>(runIds.map((id) => [id, new Float64Array(tokens + 1)]));
  const latencies: number[] = [];
  const ends = await relay.follow(runIds, (e) => {
    latencies.push(performance.now() - sentAt.get(e.runId)![e.index]!);
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const started = performance.now();
  for (let i = 0; i <= tokens; i++) {
    for (const id of runIds) {
      sentAt.get(id)![i] = performance.now();
      relay.append(i === tokens ? terminal(id, i) : token(id, i));
    }
    if (rate > 0) {
      const due = started + ((i + 1) * 1000) / rate;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    } else await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(ends);
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

/** write cost alone: the per-tick pipeline against one XADD command per event */
async function writeCost(redis: Redis, keys: RedisKeys, runs: number, tokens: number): Promise<{ batched: number; perEvent: number }> {
  const batchedWriter = new RedisRunStream({ redis, keys, graceMs: 60_000 });
  const time = async (write: (e: RunEvent) => void, flush: () => Promise<unknown>) => {
    const ids = Array.from({ length: runs }, () => randomUUID());
    const started = performance.now();
    for (let i = 0; i < tokens; i++) {
      for (const id of ids) write(token(id, i));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await flush();
    return (runs * tokens) / ((performance.now() - started) / 1000);
  };
  const batched = await time(
    (e) => batchedWriter.append(e),
    () => batchedWriter.flush(),
  );
  const pending: Promise<unknown>[] = [];
  const perEvent = await time(
    (e) => pending.push(redis.xadd(keys.runEvents(e.runId), "MAXLEN", "~", 10_000, entryId(e.index), ...entryFields(e))),
    () => Promise.all(pending),
  );
  return { batched, perEvent };
}

export async function runRedisStreamBench({ quick = false, url = process.env.ALMA_REDIS_URL ?? "redis://127.0.0.1:6379" } = {}) {
  const runs = quick ? 20 : 200;
  const tokens = quick ? 50 : 300;
  const rate = 50;
  const keys = new RedisKeys(`alma-bench-${randomUUID().slice(0, 8)}:`);
  const writerRedis = await connectRedis(url);
  const readerRedis = await connectRedis(url);
  const figures: PathFigures[] = [];
  try {
    const relays = [
      inProcessRelay(),
      redisRelay("Redis, shared reader (1 blocking connection)", writerRedis, readerRedis, keys, 1),
      redisRelay(`Redis, a blocking connection per run (${runs})`, writerRedis, readerRedis, keys, runs),
    ];
    for (const relay of relays) {
      await relayOnce(relay, Math.min(runs, 10), 20, 0); // warm-up: JIT, connections
      const paced = await relayOnce(relay, runs, Math.min(tokens, rate * 3), rate);
      const saturated = await relayOnce(relay, runs, tokens, 0);
      figures.push({
        label: relay.label,
        eventsPerSecond: saturated.latencies.length / saturated.seconds,
        pacedP50: percentile(paced.latencies, 50),
        pacedP95: percentile(paced.latencies, 95),
        saturatedP50: percentile(saturated.latencies, 50),
        saturatedP95: percentile(saturated.latencies, 95),
      });
      await relay.close();
    }
    const writes = await writeCost(writerRedis, keys, runs, quick ? 20 : 100);
    const f = (n: number, d = 2) => (Number.isFinite(n) ? (Math.abs(n) >= 1000 ? Math.round(n).toLocaleString("en-US") : n.toFixed(d)) : "n/a");
    return {
      figures,
      writes,
      table: {
        title: `Live runs through Redis: ${runs} runs × ${tokens} tokens, one follower each on a second instance; paced at ${rate} tokens/s per run (${f(runs * rate, 0)} events/s in all)`,
        columns: ["path", "events/s (saturated)", "follower p50 ms (paced)", "p95 ms (paced)", "p50 ms (saturated)", "p95 ms (saturated)"],
        rows: figures.map((x) => [x.label, f(x.eventsPerSecond, 0), f(x.pacedP50, 3), f(x.pacedP95, 3), f(x.saturatedP50, 1), f(x.saturatedP95, 1)]),
        notes: [
          `writes alone: ${f(writes.batched, 0)} events/s batched per tick in one pipeline vs ${f(writes.perEvent, 0)} events/s as one XADD command per event (${f(writes.batched / writes.perEvent, 2)}×)`,
        ],
      },
    };
  } finally {
    await deleteKeysByPrefix(writerRedis, keys.prefix);
    await writerRedis.quit();
    await readerRedis.quit();
  }
}

function renderTable(table: { title: string; columns: string[]; rows: string[][]; notes?: string[] }): string {
  const widths = table.columns.map((c, i) => Math.max(c.length, ...table.rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  const out = [`### ${table.title}`, "", line(table.columns), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`];
  for (const row of table.rows) out.push(line(row));
  if (table.notes?.length) out.push("", ...table.notes.map((n) => `- ${n}`));
  return out.join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await runRedisStreamBench({ quick: process.argv.includes("--quick") });
  console.log(renderTable(result.table));
}
