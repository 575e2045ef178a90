import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { ScriptedChatModel } from "@alma/llm";
import { clientFrameTypes } from "@alma/protocol";
import { buildApp } from "../build-app.js";
import { testConfig } from "../testing/test-config.js";
import { WsTestClient } from "../testing/ws-test-client.js";

/** CI runs a smaller seeded run; ALMA_FUZZ_FRAMES=10000 (or more) for the full one. */
const FRAMES = Number(process.env.ALMA_FUZZ_FRAMES ?? 2000);
const SEED = Number(process.env.ALMA_FUZZ_SEED ?? 7);
const BATCH = 50;

/** Heap growth allowed between the warmed-up server and the end of the run, measured after full collections. */
const HEAP_GROWTH_BOUND = 16 * 1024 * 1024;

/** A full garbage collection, so heap figures measure what is retained (the flag is set only for this lookup). */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
  gc();
}

let app: FastifyInstance;
afterAll(() => app?.close());

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}

type R = ReturnType<typeof rng>;

const junkValues = (r: R): unknown =>
  r.pick([null, true, 0, -1, 1.5, 1e308, "", "x".repeat(r.int(3000)), [], {}, [1, "a"], { nested: { deep: [null] } }, "💥", "\u0000"]);

function validFrame(r: R, ids: string[]): Record<string, unknown> {
  const id = () => (ids.length && r.next() < 0.6 ? r.pick(ids) : `id_${r.int(1e6)}`);
  switch (r.int(12)) {
    case 0:
      return { type: "ping", at: r.int(1e9) };
    case 1:
      return { type: "conversation.list", requestId: `q${r.int(1e6)}`, ...(r.next() < 0.5 ? { query: "a%_\\" } : {}) };
    case 2:
      return { type: "conversation.history", conversationId: id() };
    case 3:
      return { type: "conversation.rename", conversationId: id(), title: `t${r.int(100)}` };
    case 4:
      return { type: "conversation.delete", conversationId: id() };
    case 5:
      return { type: "conversation.restore", conversationId: id() };
    case 6:
      return { type: "memory.pin", conversationId: id(), text: "fact" };
    case 7:
      return { type: "memory.unpin", conversationId: id(), factId: id() };
    case 8:
      return { type: "run.stop", runId: `run_${r.int(1e6)}` };
    case 9:
      return { type: "run.resume", runId: `run_${r.int(1e6)}`, afterIndex: r.int(10) - 1 };
    case 10:
      return { type: "hello", protocolVersion: 1 };
    default:
      return {
        type: "message.send",
        clientMessageId: `c${r.int(1e9)}`,
        conversationId: r.next() < 0.5 ? null : id(),
        content: "hi",
        options: { taskType: "conversational" },
      };
  }
}

function mutate(r: R, frame: Record<string, unknown>): string {
  const f: Record<string, unknown> = { ...frame };
  const keys = Object.keys(f);
  switch (r.int(7)) {
    case 0:
      delete f[r.pick(keys)];
      break;
    case 1:
      f[r.pick(keys)] = junkValues(r);
      break;
    case 2:
      f[`extra${r.int(9)}`] = junkValues(r);
      break;
    case 3:
      f.type = r.pick([...clientFrameTypes, "nope", "", 5, null]);
      break;
    case 4:
      return JSON.stringify(f).slice(0, r.int(JSON.stringify(f).length));
    case 5:
      return JSON.stringify(junkValues(r));
    default:
      return Array.from({ length: r.int(200) }, () => String.fromCharCode(32 + r.int(95))).join("");
  }
  return JSON.stringify(f);
}

/** Replies that answer exactly one frame (metrics.subscribe, never sent valid here, has none). */
const DIRECT_REPLIES = new Set([
  "error",
  "pong",
  "welcome",
  "message.accepted",
  "conversation.list.result",
  "conversation.history.result",
  "conversation.updated",
  "conversation.deleted",
  "memory.updated",
]);

describe("protocol fuzzer", () => {
  it(`survives ${FRAMES} generated frames (seed ${SEED}), answers each one, and keeps memory bounded`, async () => {
    app = await buildApp({
      config: testConfig({ ALMA_MESSAGES_PER_MINUTE: "100000", ALMA_MAX_RUNS_PER_CONNECTION: "100", ALMA_MAX_RUNS_PER_SERVER: "100" }),
      model: new ScriptedChatModel({ reply: "ok" }),
    });
    const url = `${(await app.listen({ host: "127.0.0.1", port: 0 })).replace("http", "ws")}/ws`;
    const c = await WsTestClient.connect(url);
    const r = rng(SEED);
    const ids: string[] = [];
    const rssBefore = process.memoryUsage().rss;
    let heapWarm: number | null = null;
    let sent = 0;
    let invalidSent = 0;

    for (let batch = 0; sent < FRAMES; batch++) {
      const mark = c.frames.length;
      let inBatch = 0;
      const send = (text: string) => c.sendRaw(text);
      for (; inBatch < BATCH && sent < FRAMES; inBatch++, sent++) {
        const valid = validFrame(r, ids);
        if (r.next() < 0.5) send(JSON.stringify(valid));
        else {
          send(mutate(r, valid));
          invalidSent++;
        }
      }
      const barrier = 1e12 + batch;
      c.send({ type: "ping", at: barrier });
      await c.waitFor("pong", (p) => p.at === barrier, 10_000, mark);
      const replies = c.frames.slice(mark).filter((f) => DIRECT_REPLIES.has(f.type) && !(f.type === "pong" && f.at === barrier));
      // every frame got exactly one direct reply (valid or not)
      // a regenerate or continue is answered by its run starting (or an error)
      const acceptedRuns = new Set(c.frames.slice(mark).flatMap((f) => (f.type === "message.accepted" ? [f.runId] : [])));
      const runStarts = c.frames.slice(mark).filter((f) => f.type === "run.started" && !acceptedRuns.has(f.runId));
      expect(replies.length + runStarts.length).toBe(inBatch);
      for (const f of c.frames.slice(mark)) {
        if (f.type === "message.accepted") ids.push(f.conversationId);
      }
      expect(c.closeCode).toBeNull();
      // keep the client's own record small
      if (c.frames.length > 5000) c.frames.splice(0, c.frames.length);
      if (batch === 3) {
        // measured once the server's code paths have all run (JIT, caches, prepared statements)
        collectGarbage();
        heapWarm = process.memoryUsage().heapUsed;
      }
    }

    expect(c.invalid).toEqual([]);
    expect(invalidSent).toBeGreaterThan(FRAMES / 4);
    await expect.poll(() => app.alma.hub.active, { timeout: 10_000 }).toBe(0);
    const res = await app.inject({ method: "GET", url: "/health" });
    expect(res.statusCode).toBe(200);
    c.frames.splice(0, c.frames.length);
    collectGarbage();
    const heapGrowth = process.memoryUsage().heapUsed - heapWarm!;
    expect(heapGrowth, `heap grew by ${Math.round(heapGrowth / 1024)} KiB`).toBeLessThan(HEAP_GROWTH_BOUND);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(300 * 1024 * 1024);
  }, 60_000);
});
