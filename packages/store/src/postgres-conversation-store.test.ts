import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeConversationStoreContract, metrics } from "./conversation-store.contract.js";
import { DatabaseUnavailableError } from "./database-unavailable-error.js";
import { migratePostgres, postgresMigrations } from "./postgres-migrations.js";
import { PostgresConversationStore } from "./postgres-conversation-store.js";
import { createTestDatabase, type TestDatabase } from "./postgres-test-database.js";

// one database for the file (the contract's stores share it: each test makes its own conversations), dropped after
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

// the contract wants an empty store per test: the file's database, emptied
describeConversationStoreContract("PostgresConversationStore", async (options = {}) => {
  const store = await PostgresConversationStore.open({ url: db.url, ...options });
  await store.pool.query("TRUNCATE conversations, model_speeds CASCADE");
  return store;
});

describe("PostgresConversationStore", () => {
  it("keeps everything across a restart, the JSON fields and times as they were given", async () => {
    const s1 = await PostgresConversationStore.open({ url: db.url, now: () => 1_700_000_000_123 });
    const c = await s1.createConversation("");
    await s1.addUserMessage({ conversationId: c.id, clientMessageId: "u", content: "persist me" });
    const a = await s1.addAssistantMessage({ conversationId: c.id, runId: "r", taskType: null });
    const steps = [{ id: "s1", title: "T", agent: "w", dependsOn: [], text: "x", status: "complete" as const }];
    await s1.updateAssistantMessage(a.id, { content: "answer", status: "complete", finishReason: "stop", metrics, steps });
    await s1.saveModelSpeed("m", { ttftMs: 612.5, tokensPerSecond: 14.25, samples: 2, updatedAt: 1_700_000_000_999 });
    await s1.close();

    const s2 = await PostgresConversationStore.open({ url: db.url });
    try {
      expect(await s2.getConversation(c.id)).toEqual({ ...c, title: "persist me", updatedAt: 1_700_000_000_123 });
      const stored = await s2.getMessage(a.id);
      expect(stored).toMatchObject({ content: "answer", status: "complete", metrics, steps, createdAt: 1_700_000_000_123, pinned: false });
      expect(typeof stored?.createdAt).toBe("number");
      expect(await s2.loadModelSpeed("m")).toEqual({ ttftMs: 612.5, tokensPerSecond: 14.25, samples: 2, updatedAt: 1_700_000_000_999 });
      expect(await s2.ping()).toEqual({ ok: true });
    } finally {
      await s2.close();
    }
  });

  it("searches with PostgreSQL full-text search: stemmed words, quoted phrases, excluded words", async () => {
    const s = await PostgresConversationStore.open({ url: db.url });
    try {
      const c = await s.createConversation("Garden notes");
      await s.addUserMessage({ conversationId: c.id, clientMessageId: "g1", content: "My tomatoes were boiling in the greenhouse heat, what should I do?" });
      expect((await s.listConversations("boiled tomato")).map((x) => x.id)).toContain(c.id);
      const hit = (await s.listConversations("boiled tomato")).find((x) => x.id === c.id)!;
      expect(hit.snippet).toContain("tomatoes were boiling");
      expect((await s.listConversations('"greenhouse heat"')).map((x) => x.id)).toContain(c.id);
      expect((await s.listConversations("greenhouse -tomatoes")).map((x) => x.id)).not.toContain(c.id);
    } finally {
      await s.close();
    }
  });

  it("an answer's search text is made once it ends, not at each flush while it streams", async () => {
    const s = await PostgresConversationStore.open({ url: db.url });
    try {
      const c = await s.createConversation("");
      await s.addUserMessage({ conversationId: c.id, clientMessageId: "q1", content: "tell me about owls" });
      const a = await s.addAssistantMessage({ conversationId: c.id, runId: "r-owl", taskType: null });
      const searchOf = async () =>
        (await s.pool.query<{ search: string | null }>("SELECT search::text AS search FROM messages WHERE id = $1", [a.id])).rows[0]!.search;
      await s.appendAssistantText(a.id, { delta: "Barn owls hunt" });
      await s.appendAssistantText(a.id, { delta: " voles at night." });
      expect(await searchOf()).toBeNull();
      expect((await s.listConversations("voles")).map((x) => x.id)).not.toContain(c.id);
      await s.updateAssistantMessage(a.id, { content: "Barn owls hunt voles at night.", status: "complete", finishReason: "stop" });
      expect(await searchOf()).toContain("'vole'");
      const hit = (await s.listConversations("vole")).find((x) => x.id === c.id);
      expect(hit?.snippet).toContain("voles at night");
      // an edit of a finished message is searched as edited; a status change alone keeps its search text
      await s.updateAssistantMessage(a.id, { content: "Tawny owls eat mice.", status: "complete", finishReason: "stop" });
      expect((await s.listConversations("vole")).map((x) => x.id)).not.toContain(c.id);
      expect((await s.listConversations("mice")).map((x) => x.id)).toContain(c.id);
      // an interrupted answer (what a restart or a dead instance leaves) is searchable too
      const b = await s.addAssistantMessage({ conversationId: c.id, runId: "r-owl-2", taskType: null });
      await s.appendAssistantText(b.id, { delta: "Snowy owls nest on tundra" });
      await s.markStreamingInterrupted();
      expect((await s.listConversations("tundra")).map((x) => x.id)).toContain(c.id);
    } finally {
      await s.close();
    }
  });

  it("migration 5 on a database with messages: finished ones are searchable after it, a streaming one once it ends", async () => {
    const fresh = await createTestDatabase();
    const pool = new pg.Pool({ connectionString: fresh.url });
    try {
      await migratePostgres(
        pool,
        postgresMigrations.filter((m) => m.version <= 4),
      );
      await pool.query("INSERT INTO conversations (id, title, created_at, updated_at) VALUES ('c-old', 'Old notes', 1, 1)");
      await pool.query(
        `INSERT INTO messages (id, conversation_id, role, content, status, created_at) VALUES
           ('m-done', 'c-old', 'assistant', 'Herons wade in shallow marshes.', 'complete', 2),
           ('m-live', 'c-old', 'assistant', 'Egrets were', 'streaming', 3)`,
      );
      const s = await PostgresConversationStore.open({ url: fresh.url });
      try {
        expect((await s.listConversations("marsh")).map((c) => c.id)).toEqual(["c-old"]);
        expect((await s.listConversations("egret")).map((c) => c.id)).toEqual([]);
        await s.updateAssistantMessage("m-live", { content: "Egrets were nesting.", status: "complete", finishReason: "stop" });
        expect((await s.listConversations("egret")).map((c) => c.id)).toEqual(["c-old"]);
      } finally {
        await s.close();
      }
    } finally {
      await pool.end();
      await fresh.drop();
    }
  });

  it("closes its pool on close(): the database sees no connection of it after", async () => {
    const s = await PostgresConversationStore.open({ url: db.url });
    await s.listConversations();
    expect(s.pool.totalCount).toBeGreaterThan(0);
    await s.close();
    await s.close();
    expect(s.pool.totalCount).toBe(0);
    expect(s.pool.ended).toBe(true);
  });
});

describe("PostgreSQL migrations", () => {
  it("two instances opening one fresh database at once migrate it once, one after the other", async () => {
    const fresh = await createTestDatabase();
    try {
      const stores = await Promise.all([PostgresConversationStore.open({ url: fresh.url }), PostgresConversationStore.open({ url: fresh.url })]);
      const client = new pg.Client({ connectionString: fresh.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
        expect(rows.map((r) => r.version)).toEqual(postgresMigrations.map((m) => m.version));
      } finally {
        await client.end();
      }
      // both work on the same data
      const made = await stores[0]!.createConversation("shared");
      expect((await stores[1]!.getConversation(made.id))?.title).toBe("shared");
      await Promise.all(stores.map((s) => s.close()));
    } finally {
      await fresh.drop();
    }
  });

  it("without the lock the same two would collide: the schema's CREATE TABLE races (what the lock prevents)", async () => {
    const fresh = await createTestDatabase();
    const clients = [new pg.Client({ connectionString: fresh.url }), new pg.Client({ connectionString: fresh.url })];
    try {
      await Promise.all(clients.map((c) => c.connect()));
      const outcomes = await Promise.allSettled(clients.map((c) => c.query(`BEGIN; ${postgresMigrations[0]!.sql}; COMMIT;`)));
      expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
      await fresh.drop();
    }
  });
});

describe("PostgreSQL that cannot be used", () => {
  it("a port where nothing listens: what, where and how to fix it", async () => {
    const error = await PostgresConversationStore.open({ url: "postgres://postgres@127.0.0.1:1/alma" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect((error as Error).message).toBe(
      "cannot reach PostgreSQL at postgres://postgres@127.0.0.1:1/alma (ECONNREFUSED): start PostgreSQL, fix ALMA_DATABASE_URL, or unset it to use SQLite",
    );
  });

  it("a database that does not exist, the password hidden", async () => {
    const url = new URL(db.url);
    url.pathname = "/alma_no_such_database";
    url.password = "secret";
    const error = (await PostgresConversationStore.open({ url: url.toString() }).catch((e: unknown) => e)) as DatabaseUnavailableError;
    expect(error.code).toBe("3D000");
    expect(error.message).toContain('has no database "alma_no_such_database" (3D000): create it (createdb alma_no_such_database');
    expect(error.message).not.toContain("secret");
  });
});
