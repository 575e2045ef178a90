import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ConversationStore, createTestDatabase, PostgresConversationStore, SqliteConversationStore } from "@alma/store";
import { nowMs } from "../lib/hrtime.js";

/**
 * What a live run's periodic flush costs the store with N answers streaming at once: the old path rewrote the whole
 * row (the text so far and the steps) every interval, the new one appends the text since the last flush. Both run in
 * the same store, round by round, on their own answers, so the machine's noise falls on both alike.
 */
export interface FlushCost {
  database: "sqlite" | "postgres";
  sessions: number;
  rounds: number;
  /** mean time of one round of flushes (every session once), each path */
  rewriteRoundMs: number;
  appendRoundMs: number;
  /** rewrite / append */
  ratio: number;
}

/** one flush interval's worth of tokens (20 tokens/s × 500 ms) */
const TOKENS_PER_FLUSH = 10;

async function streamingAnswers(store: ConversationStore, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = await store.createConversation(`flush ${i}`);
    ids.push((await store.addAssistantMessage({ conversationId: c.id, runId: `r${i}`, taskType: "conversational" })).id);
  }
  return ids;
}

async function measureStore(database: FlushCost["database"], store: ConversationStore, sessions: number, rounds: number): Promise<FlushCost> {
  const rewriteIds = await streamingAnswers(store, sessions);
  const appendIds = await streamingAnswers(store, sessions);
  const texts = new Array<string>(sessions).fill("");
  let rewriteMs = 0;
  let appendMs = 0;
  for (let round = 0; round < rounds; round++) {
    const delta = Array.from({ length: TOKENS_PER_FLUSH }, (_, t) => ` word${round * TOKENS_PER_FLUSH + t}`).join("");
    for (let i = 0; i < sessions; i++) texts[i] += delta;
    // every session's flush concurrently, as the executor's timers fire (PostgreSQL: over its pool)
    let started = nowMs();
    await Promise.all(rewriteIds.map((id, i) => store.updateAssistantMessage(id, { content: texts[i]!, steps: null })));
    rewriteMs += nowMs() - started;
    started = nowMs();
    await Promise.all(appendIds.map((id) => store.appendAssistantText(id, { delta })));
    appendMs += nowMs() - started;
  }
  // both paths must have stored the same answers, or the comparison means nothing
  const [a, b] = await Promise.all([store.getMessage(rewriteIds[0]!), store.getMessage(appendIds[0]!)]);
  if (a?.content !== texts[0] || b?.content !== texts[0]) throw new Error("flush cost: the rewrite and append paths stored different text");
  return { database, sessions, rounds, rewriteRoundMs: rewriteMs / rounds, appendRoundMs: appendMs / rounds, ratio: rewriteMs / appendMs };
}

/** SQLite (a WAL file, as in production) always; PostgreSQL when its test server answers (else `postgresError`). */
export async function measureFlushCost(sessionCounts: readonly number[], rounds: number): Promise<{ costs: FlushCost[]; postgresError: string | null }> {
  const costs: FlushCost[] = [];
  const dir = mkdtempSync(join(tmpdir(), "alma-flush-"));
  const sqlite = new SqliteConversationStore({ path: join(dir, "alma.db") });
  try {
    for (const n of sessionCounts) costs.push(await measureStore("sqlite", sqlite, n, rounds));
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
  let postgresError: string | null = null;
  try {
    const db = await createTestDatabase();
    try {
      const pg = await PostgresConversationStore.open({ url: db.url });
      try {
        for (const n of sessionCounts) costs.push(await measureStore("postgres", pg, n, rounds));
      } finally {
        await pg.close();
      }
    } finally {
      await db.drop();
    }
  } catch (error) {
    postgresError = (error as Error).message;
  }
  return { costs, postgresError };
}
