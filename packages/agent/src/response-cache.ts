import Database from "better-sqlite3";
import { z } from "zod";
import { classificationSchema, planStepSchema, taskTypeSchema } from "@alma/protocol";

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
export class ResponseCache {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly ttlMs: number;
  private readonly db: Database.Database;
  private readonly now: () => number;
  private useSeq: number;
  private readonly stmts;

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
    this.db.exec(`CREATE TABLE IF NOT EXISTS classification_cache (
      key TEXT PRIMARY KEY, value TEXT NOT NULL, created_at INTEGER NOT NULL)`);
    this.stmts = {
      get: this.db.prepare<[string], { value: string; created_at: number }>("SELECT value, created_at FROM response_cache WHERE key = ?"),
      touch: this.db.prepare("UPDATE response_cache SET used_seq = ? WHERE key = ?"),
      del: this.db.prepare("DELETE FROM response_cache WHERE key = ?"),
      put: this.db.prepare(
        "INSERT OR REPLACE INTO response_cache (key, value, bytes, created_at, used_seq) VALUES (?, ?, ?, ?, ?)",
      ),
      totals: this.db.prepare<[], { n: number; bytes: number | null }>("SELECT COUNT(*) AS n, SUM(bytes) AS bytes FROM response_cache"),
      oldest: this.db.prepare<[], { key: string }>("SELECT key FROM response_cache ORDER BY used_seq ASC LIMIT 1"),
      expire: this.db.prepare("DELETE FROM response_cache WHERE created_at <= ?"),
      getClass: this.db.prepare<[string], { value: string; created_at: number }>("SELECT value, created_at FROM classification_cache WHERE key = ?"),
      putClass: this.db.prepare("INSERT OR REPLACE INTO classification_cache (key, value, created_at) VALUES (?, ?, ?)"),
      expireClass: this.db.prepare("DELETE FROM classification_cache WHERE created_at <= ?"),
      trimClass: this.db.prepare(
        "DELETE FROM classification_cache WHERE key IN (SELECT key FROM classification_cache ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?)",
      ),
    };
    this.useSeq = (this.db.prepare<[], { m: number | null }>("SELECT MAX(used_seq) AS m FROM response_cache").get()?.m ?? 0) + 1;
  }

  get(key: string): CachedAnswer | null {
    const row = this.stmts.get.get(key);
    if (!row) return null;
    if (this.now() - row.created_at >= this.ttlMs) {
      this.stmts.del.run(key);
      return null;
    }
    const parsed = cachedAnswerSchema.safeParse(JSON.parse(row.value));
    if (!parsed.success) {
      // a row written by an older, incompatible version: drop it rather than replay something wrong
      this.stmts.del.run(key);
      return null;
    }
    this.stmts.touch.run(this.useSeq++, key);
    return parsed.data;
  }

  set(key: string, answer: CachedAnswer): void {
    const value = JSON.stringify(answer);
    const bytes = Buffer.byteLength(value);
    if (bytes > this.maxBytes) return;
    this.db.transaction(() => {
      this.stmts.put.run(key, value, bytes, this.now(), this.useSeq++);
      this.stmts.expire.run(this.now() - this.ttlMs);
      for (;;) {
        const t = this.stmts.totals.get()!;
        if (t.n <= this.maxEntries && (t.bytes ?? 0) <= this.maxBytes) break;
        const victim = this.stmts.oldest.get();
        if (!victim) break;
        this.stmts.del.run(victim.key);
      }
    })();
  }

  has(key: string): boolean {
    const row = this.stmts.get.get(key);
    return !!row && this.now() - row.created_at < this.ttlMs;
  }

  /** entries and bytes held now */
  stats(): { entries: number; bytes: number } {
    const t = this.stmts.totals.get()!;
    return { entries: t.n, bytes: t.bytes ?? 0 };
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
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
