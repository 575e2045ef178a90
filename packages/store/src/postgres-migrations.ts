import type { Pool } from "pg";
import type { Migration } from "./migrations.js";

/**
 * The PostgreSQL schema, versioned like the SQLite one (append-only: a change is a new version). Times are epoch
 * milliseconds (BIGINT, read back as numbers), JSON fields are jsonb, and the text a search reads is a generated
 * tsvector with a GIN index.
 */
export const postgresMigrations: Migration[] = [
  {
    version: 1,
    name: "conversations, messages, pinned facts",
    sql: `
      CREATE TABLE conversations (
        seq BIGSERIAL UNIQUE,
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        summary TEXT,
        summarized_count INTEGER NOT NULL DEFAULT 0,
        deleted_at BIGINT
      );
      CREATE INDEX conversations_updated ON conversations (deleted_at, updated_at DESC);

      CREATE TABLE messages (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
        content TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        client_message_id TEXT,
        run_id TEXT,
        task_type TEXT,
        pinned BOOLEAN NOT NULL DEFAULT FALSE,
        steps JSONB,
        finish_reason TEXT,
        usage JSONB,
        metrics JSONB,
        error JSONB,
        UNIQUE (conversation_id, client_message_id)
      );
      CREATE INDEX messages_conversation ON messages (conversation_id, seq);
      CREATE INDEX messages_client_id ON messages (client_message_id);
      CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming';

      CREATE TABLE pinned_facts (
        seq BIGSERIAL UNIQUE,
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        message_id TEXT,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX pinned_facts_conversation ON pinned_facts (conversation_id, created_at, seq);
    `,
  },
  {
    version: 2,
    name: "model speed estimates",
    sql: `
      CREATE TABLE model_speeds (
        model_key TEXT PRIMARY KEY,
        ttft_ms DOUBLE PRECISION NOT NULL,
        tokens_per_second DOUBLE PRECISION NOT NULL,
        samples INTEGER NOT NULL,
        updated_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: "attachments",
    // as in SQLite: a removed message takes its files with it; unsent files (message_id NULL) stay in the composer
    sql: `
      CREATE TABLE attachments (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        message_id TEXT REFERENCES messages (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('text', 'markdown', 'csv', 'json', 'pdf')),
        media_type TEXT NOT NULL,
        bytes BIGINT NOT NULL,
        text TEXT NOT NULL,
        pages_json JSONB,
        chars INTEGER NOT NULL,
        tokens INTEGER NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX attachments_conversation ON attachments (conversation_id, seq);
      CREATE INDEX attachments_message ON attachments (message_id);
    `,
  },
  {
    version: 4,
    name: "full-text search over titles and messages",
    // the first 200,000 characters of a message are searched: a tsvector holds at most 1 MB
    sql: `
      ALTER TABLE conversations ADD COLUMN title_search TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', title)) STORED;
      ALTER TABLE messages ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', left(content, 200000))) STORED;
      CREATE INDEX conversations_title_search ON conversations USING GIN (title_search);
      CREATE INDEX messages_search ON messages USING GIN (search);
    `,
  },
  {
    version: 5,
    name: "a message's search text is made when it is written whole, not at every flush of a streaming answer",
    // a generated column re-tokenized the whole answer at each 500 ms append (and moved its GIN entries): an answer
    // is searchable once it ends (complete, stopped, interrupted, failed); until then its search stays empty
    sql: `
      ALTER TABLE messages DROP COLUMN search;
      ALTER TABLE messages ADD COLUMN search TSVECTOR;
      CREATE FUNCTION messages_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status = 'streaming' THEN
          NEW.search := NULL;
        ELSIF TG_OP = 'INSERT' OR NEW.content IS DISTINCT FROM OLD.content OR OLD.search IS NULL THEN
          NEW.search := to_tsvector('english', left(NEW.content, 200000));
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER messages_search_text BEFORE INSERT OR UPDATE OF content, status ON messages
        FOR EACH ROW EXECUTE FUNCTION messages_search_text();
      UPDATE messages SET search = to_tsvector('english', left(content, 200000)) WHERE status <> 'streaming';
      CREATE INDEX messages_search ON messages USING GIN (search);
    `,
  },
];

/** the advisory lock key every alma instance takes to migrate: one migrates, the others wait and find it done */
export const MIGRATION_LOCK_KEY = 0x616c6d61; // "alma"

/**
 * Applies every migration newer than the database's version, each in its own transaction, under a session advisory
 * lock: instances starting together migrate one after the other, never side by side.
 */
export async function migratePostgres(pool: Pool, list: Migration[] = postgresMigrations): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at BIGINT NOT NULL
      )`);
      const applied = new Set((await client.query<{ version: number }>("SELECT version FROM schema_migrations")).rows.map((r) => r.version));
      const done: number[] = [];
      for (const m of [...list].sort((a, b) => a.version - b.version)) {
        if (applied.has(m.version)) continue;
        await client.query("BEGIN");
        try {
          await client.query(m.sql);
          await client.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [m.version, m.name, Date.now()]);
          await client.query("COMMIT");
        } catch (err) {
          await client.query("ROLLBACK");
          throw err;
        }
        done.push(m.version);
      }
      return done;
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}
