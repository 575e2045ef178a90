import { createTestDatabase, PostgresConversationStore } from "@alma/store";
import { nowMs } from "../lib/hrtime.js";

/**
 * What a streaming answer's append costs PostgreSQL with its search text made at every write (migration 4's generated
 * tsvector, re-tokenizing the whole answer at each flush) against made once the answer ends (migration 5's trigger).
 * Two databases, the same store code, the same long answers (each already `prefillChars` long, as an answer a few
 * minutes in is), rounds alternating between them so the machine's noise falls on both alike.
 */
export interface SearchColumnCost {
  sessions: number;
  prefillChars: number;
  rounds: number;
  generatedRoundMs: number;
  triggerRoundMs: number;
  /** generated / trigger */
  ratio: number;
}

// migration 4's column, put back on a migrated database: the baseline
const GENERATED_COLUMN = `
  DROP TRIGGER messages_search_text ON messages;
  ALTER TABLE messages DROP COLUMN search;
  ALTER TABLE messages ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', left(content, 200000))) STORED;
  CREATE INDEX messages_search ON messages USING GIN (search);
`;

async function longAnswers(store: PostgresConversationStore, n: number, prefill: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = await store.createConversation(`search ${i}`);
    const id = (await store.addAssistantMessage({ conversationId: c.id, runId: `r${i}`, taskType: "conversational" })).id;
    await store.appendAssistantText(id, { delta: prefill });
    ids.push(id);
  }
  return ids;
}

export async function measureSearchColumnCost(sessions: number, rounds: number, prefillChars = 8_000): Promise<SearchColumnCost> {
  const prefill = "The answer goes on with words a reader searches for later. ".repeat(Math.ceil(prefillChars / 60)).slice(0, prefillChars);
  const dbs = [await createTestDatabase(), await createTestDatabase()];
  const stores: PostgresConversationStore[] = [];
  try {
    for (const db of dbs) stores.push(await PostgresConversationStore.open({ url: db.url }));
    const [generated, trigger] = stores as [PostgresConversationStore, PostgresConversationStore];
    await generated.pool.query(GENERATED_COLUMN);
    const ids = [await longAnswers(generated, sessions, prefill), await longAnswers(trigger, sessions, prefill)];
    const spent = [0, 0];
    for (let round = 0; round < rounds; round++) {
      const delta = Array.from({ length: 10 }, (_, t) => ` word${round * 10 + t}`).join("");
      for (const k of round % 2 === 0 ? [0, 1] : [1, 0]) {
        const started = nowMs();
        await Promise.all(ids[k]!.map((id) => stores[k]!.appendAssistantText(id, { delta })));
        spent[k]! += nowMs() - started;
      }
    }
    // the same text stored on both, or the comparison means nothing
    const [a, b] = await Promise.all([generated.getMessage(ids[0]![0]!), trigger.getMessage(ids[1]![0]!)]);
    if (!a || a.content !== b?.content) throw new Error("search column cost: the two databases stored different text");
    const generatedRoundMs = spent[0]! / rounds;
    const triggerRoundMs = spent[1]! / rounds;
    return { sessions, prefillChars, rounds, generatedRoundMs, triggerRoundMs, ratio: generatedRoundMs / triggerRoundMs };
  } finally {
    for (const s of stores) await s.close();
    for (const db of dbs) await db.drop();
  }
}
