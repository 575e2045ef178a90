import Database from "better-sqlite3";
import { z } from "zod";
import { classificationSchema, planStepSchema, taskTypeSchema } from "@alma/protocol";
import type { AnswerCache } from "./answer-cache.js";

const singleAnswerSchema = z.object({
  kind: z.literal("single"),
  taskType: taskTypeSchema,
  classification: classificationSchema,
  deltas: z.array(z.string()),
  completionTokens: z.number().int().nonnegative(),
});

const analyticalAnswerSchema = z.object({
  kind: z.literal("analytical"),
  taskType: z.literal("analytical"),
  classification: classificationSchema,
  plan: z.array(planStepSchema),
  steps: z.array(z.object({ id: z.string(), deltas: z.array(z.string()), completionTokens: z.number().int().nonnegative() })),
  synthesis: z.array(z.string()),
  completionTokens: z.number().int().nonnegative(),
});

export const cachedAnswerSchema = z.discriminatedUnion("kind", [singleAnswerSchema, analyticalAnswerSchema]);
/** A complete answer with its deltas, so a hit streams in the same chunks as the original. */
export type CachedAnswer = z.infer<typeof cachedAnswerSchema>;

export interface ResponseCacheOptions {
  /** a SQLite file, or ":memory:" (the default) */
  path?: string;
  maxEntries?: number;
  maxBytes?: number;
  ttlMs?: number;
  now?: () => number;
}

/**
 * Exact-match answers by request key, least recently used evicted past the entry or byte bound, expired after the
 * TTL, persisted in SQLite so they survive a restart.
 */
export class ResponseCache implements AnswerCache {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly ttlMs: number;
  private readonly db: Database.Database;
  private readonly now: () => number;
  private useSeq: number;
  private readonly stmts;
  /** the answer rows' count and bytes, loaded at open and kept in step with every write, so eviction never rescans */
  private entries: number;
  private bytes: number;

  constructor(opts: ResponseCacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 1000;
    this.maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
    this.ttlMs = opts.ttlMs ?? 24 * 60 * 60 * 1000;
    this.now = opts.now ?? Date.now;
    this.db = new Database(opts.path ?? ":memory:");
    this.db.pragma("journal_mode = WAL");
    this.db.exec(`CREATE TABLE IF NOT EXISTS response_cache (
      key TEXT PRIMARY KEY, value TEXT NOT NULL, bytes INTEGER NOT NULL, created_at INTEGER NOT NULL, used_seq INTEGER NOT NULL)`);
    this.db.exec(`CREATE INDEX IF NOT EXISTS response_cache_used ON response_cache(used_seq)`);
    // expiry runs on every write: without the index it would scan the whole table each time
    this.db.exec(`CREATE INDEX IF NOT EXISTS response_cache_created ON response_cache(created_at)`);
    this.db.exec(`CREATE TABLE IF NOT EXISTS classification_cache (
      key TEXT PRIMARY KEY, value TEXT NOT NULL, created_at INTEGER NOT NULL)`);
    this.stmts = {
      get: this.db.prepare<[string], { value: string; created_at: number }>("SELECT value, created_at FROM response_cache WHERE key = ?"),
      touch: this.db.prepare("UPDATE response_cache SET used_seq = ? WHERE key = ?"),
      del: this.db.prepare<[string], { bytes: number }>("DELETE FROM response_cache WHERE key = ? RETURNING bytes"),
      sizeOf: this.db.prepare<[string], { bytes: number }>("SELECT bytes FROM response_cache WHERE key = ?"),
      put: this.db.prepare("INSERT OR REPLACE INTO response_cache (key, value, bytes, created_at, used_seq) VALUES (?, ?, ?, ?, ?)"),
      totals: this.db.prepare<[], { n: number; bytes: number | null }>("SELECT COUNT(*) AS n, SUM(bytes) AS bytes FROM response_cache"),
      evictOldest: this.db.prepare<[], { bytes: number }>(
        "DELETE FROM response_cache WHERE key = (SELECT key FROM response_cache ORDER BY used_seq ASC LIMIT 1) RETURNING bytes",
      ),
      expire: this.db.prepare<[number], { bytes: number }>("DELETE FROM response_cache WHERE created_at <= ? RETURNING bytes"),
      getClass: this.db.prepare<[string], { value: string; created_at: number }>("SELECT value, created_at FROM classification_cache WHERE key = ?"),
      putClass: this.db.prepare("INSERT OR REPLACE INTO classification_cache (key, value, created_at) VALUES (?, ?, ?)"),
      expireClass: this.db.prepare("DELETE FROM classification_cache WHERE created_at <= ?"),
      trimClass: this.db.prepare(
        "DELETE FROM classification_cache WHERE key IN (SELECT key FROM classification_cache ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?)",
      ),
    };
    const t = this.stmts.totals.get()!;
    this.entries = t.n;
    this.bytes = t.bytes ?? 0;
    this.useSeq = (this.db.prepare<[], { m: number | null }>("SELECT MAX(used_seq) AS m FROM response_cache").get()?.m ?? 0) + 1;
  }

  get(key: string): CachedAnswer | null {
    const row = this.stmts.get.get(key);
    if (!row) return null;
    if (this.now() - row.created_at >= this.ttlMs) {
      this.delete(key);
      return null;
    }
    const parsed = cachedAnswerSchema.safeParse(JSON.parse(row.value));
    if (!parsed.success) {
      // a row written by an older, incompatible version: drop it rather than replay something wrong
      this.delete(key);
      return null;
    }
    this.stmts.touch.run(this.useSeq++, key);
    return parsed.data;
  }

  set(key: string, answer: CachedAnswer): void {
    const value = JSON.stringify(answer);
    const bytes = Buffer.byteLength(value);
    if (bytes > this.maxBytes) return;
    // totals change only once the transaction committed, so a failed write leaves them true
    const totals = this.db.transaction(() => {
      let entries = this.entries;
      let held = this.bytes;
      const replaced = this.stmts.sizeOf.get(key);
      if (replaced) {
        entries--;
        held -= replaced.bytes;
      }
      this.stmts.put.run(key, value, bytes, this.now(), this.useSeq++);
      entries++;
      held += bytes;
      for (const gone of this.stmts.expire.all(this.now() - this.ttlMs)) {
        entries--;
        held -= gone.bytes;
      }
      while (entries > this.maxEntries || held > this.maxBytes) {
        const gone = this.stmts.evictOldest.get();
        if (!gone) break;
        entries--;
        held -= gone.bytes;
      }
      return { entries, held };
    })();
    this.entries = totals.entries;
    this.bytes = totals.held;
  }

  private delete(key: string): void {
    const gone = this.stmts.del.get(key);
    if (!gone) return;
    this.entries--;
    this.bytes -= gone.bytes;
  }

  has(key: string): boolean {
    const row = this.stmts.get.get(key);
    return !!row && this.now() - row.created_at < this.ttlMs;
  }

  /** entries and bytes held now */
  stats(): { entries: number; bytes: number } {
    return { entries: this.entries, bytes: this.bytes };
  }

  /** a model's classification of an ambiguous message, kept so a repeated question needs no model call */
  getClassification(key: string): z.infer<typeof classificationSchema> | null {
    const row = this.stmts.getClass.get(key);
    if (!row || this.now() - row.created_at >= this.ttlMs) return null;
    const parsed = classificationSchema.safeParse(JSON.parse(row.value));
    return parsed.success ? parsed.data : null;
  }

  setClassification(key: string, classification: z.infer<typeof classificationSchema>): void {
    this.db.transaction(() => {
      this.stmts.putClass.run(key, JSON.stringify(classification), this.now());
      this.stmts.expireClass.run(this.now() - this.ttlMs);
      // bounded like the answers, newest kept: every ambiguous message would otherwise add a row forever
      this.stmts.trimClass.run(this.maxEntries);
    })();
  }

  clear(): void {
    this.db.exec("DELETE FROM response_cache; DELETE FROM classification_cache;");
    this.entries = 0;
    this.bytes = 0;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
