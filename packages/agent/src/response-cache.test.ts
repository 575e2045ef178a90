import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ResponseCache, type CachedAnswer } from "./response-cache.js";

const answer = (text: string): CachedAnswer => ({
  kind: "single",
  taskType: "conversational",
  classification: { type: "conversational", source: "rules", confidence: 0.9 },
  deltas: [text.slice(0, 2), text.slice(2)],
  completionTokens: 2,
});

const opened: ResponseCache[] = [];
const dirs: string[] = [];
function open(opts: ConstructorParameters<typeof ResponseCache>[0] = {}): ResponseCache {
  const c = new ResponseCache(opts);
  opened.push(c);
  return c;
}
afterEach(() => {
  for (const c of opened.splice(0)) c.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("ResponseCache", () => {
  it("misses, then hits with the same deltas", () => {
    const c = open();
    expect(c.get("k")).toBeNull();
    c.set("k", answer("hello"));
    expect(c.get("k")).toEqual(answer("hello"));
  });

  it("evicts the least recently used past the entry bound", () => {
    const c = open({ maxEntries: 2 });
    c.set("a", answer("aaa"));
    c.set("b", answer("bbb"));
    c.get("a"); // a is now more recent than b
    c.set("c", answer("ccc"));
    expect(c.get("b")).toBeNull();
    expect(c.get("a")).not.toBeNull();
    expect(c.get("c")).not.toBeNull();
    expect(c.stats().entries).toBe(2);
  });

  it("evicts past the byte bound and refuses an entry bigger than the bound", () => {
    const one = Buffer.byteLength(JSON.stringify(answer("x".repeat(100))));
    const c = open({ maxBytes: one * 2 + 10 });
    c.set("a", answer("x".repeat(100)));
    c.set("b", answer("y".repeat(100)));
    c.set("c", answer("z".repeat(100)));
    expect(c.get("a")).toBeNull();
    expect(c.stats().bytes).toBeLessThanOrEqual(one * 2 + 10);
    c.set("huge", answer("h".repeat(10_000)));
    expect(c.get("huge")).toBeNull();
    expect(c.get("c")).not.toBeNull();
  });

  it("expires entries after the TTL", () => {
    let now = 1_000;
    const c = open({ ttlMs: 500, now: () => now });
    c.set("k", answer("hi"));
    now += 499;
    expect(c.get("k")).not.toBeNull();
    now += 1;
    expect(c.get("k")).toBeNull();
    expect(c.stats().entries).toBe(0);
  });

  it("persists across a reopen of the same file, keeping the LRU order", () => {
    const dir = mkdtempSync(join(tmpdir(), "alma-cache-"));
    dirs.push(dir);
    const path = join(dir, "cache.db");
    const first = new ResponseCache({ path, maxEntries: 2 });
    first.set("a", answer("aaa"));
    first.set("b", answer("bbb"));
    first.get("a");
    first.setClassification("q", { type: "creative", source: "model", confidence: 0.8 });
    first.close();
    const second = open({ path, maxEntries: 2 });
    expect(second.get("a")).toEqual(answer("aaa"));
    expect(second.getClassification("q")).toEqual({ type: "creative", source: "model", confidence: 0.8 });
    second.set("c", answer("ccc"));
    expect(second.get("b")).toBeNull();
    expect(second.get("a")).not.toBeNull();
  });

  it("keeps its totals in memory: no write or stats call rescans the table, and the totals stay exact", () => {
    // every statement runs through the shared Statement prototype, so recording its sources shows what set() asks SQLite
    const probe = new Database(":memory:");
    const proto = Object.getPrototypeOf(probe.prepare("SELECT 1")) as Record<"get" | "all" | "run", (...a: unknown[]) => unknown>;
    probe.close();
    const sources: string[] = [];
    const spies = (["get", "all", "run"] as const).map((m) => {
      const original = proto[m]!;
      return vi.spyOn(proto, m).mockImplementation(function (this: { source: string }, ...args: unknown[]) {
        sources.push(this.source);
        return original.apply(this, args);
      });
    });
    try {
      const c = open({ maxEntries: 3 });
      sources.length = 0; // the one count at open is expected
      for (let i = 0; i < 20; i++) c.set(`k${i}`, answer(`value ${i}`));
      c.set("k19", answer("replaced, longer than before"));
      expect(c.get("k0")).toBeNull();
      const totals = c.stats();
      expect(sources.filter((sql) => /COUNT\(|SUM\(/i.test(sql))).toEqual([]);
      const bytes = ["k17", "k18"].map((k) => Buffer.byteLength(JSON.stringify(answer(`value ${k.slice(1)}`))));
      expect(totals).toEqual({ entries: 3, bytes: bytes[0]! + bytes[1]! + Buffer.byteLength(JSON.stringify(answer("replaced, longer than before"))) });
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });

  it("loads its totals when it opens a file written before", () => {
    const dir = mkdtempSync(join(tmpdir(), "alma-cache-"));
    dirs.push(dir);
    const path = join(dir, "cache.db");
    const first = new ResponseCache({ path });
    first.set("a", answer("aaa"));
    first.set("b", answer("bbb"));
    const before = first.stats();
    first.close();
    const second = open({ path, maxEntries: 2 });
    expect(second.stats()).toEqual(before);
    second.set("c", answer("ccc"));
    expect(second.stats().entries).toBe(2);
    second.clear();
    expect(second.stats()).toEqual({ entries: 0, bytes: 0 });
  });

  it("drops a stored row that no longer matches the schema", () => {
    const c = open();
    c.set("k", { ...answer("hi"), deltas: "not an array" } as unknown as CachedAnswer);
    expect(c.get("k")).toBeNull();
    expect(c.stats().entries).toBe(0);
  });
});

describe("ResponseCache classifications", () => {
  it("remembers a classification until the TTL and keeps only the newest maxEntries", () => {
    let now = 1_000;
    const c = open({ maxEntries: 2, ttlMs: 100, now: () => now });
    const decided = { type: "analytical" as const, source: "model" as const, confidence: 0.8 };
    c.setClassification("a", decided);
    now++;
    c.setClassification("b", decided);
    now++;
    c.setClassification("c", decided);
    expect(c.getClassification("a")).toBeNull();
    expect(c.getClassification("b")).toEqual(decided);
    expect(c.getClassification("c")).toEqual(decided);
    now += 100;
    expect(c.getClassification("c")).toBeNull();
  });
});
